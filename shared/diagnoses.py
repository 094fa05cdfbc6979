"""A short list of the diagnoses an ER most often returns for an ambulance patient, by ICD-10
code, in Japanese and English: the outcome form offers them as the physician types, so most
outcomes arrive coded. Anything else may be typed in words, with or without a code."""
from __future__ import annotations

COMMON: tuple[tuple[str, str, str], ...] = (
    ("I63.9", "脳梗塞", "Cerebral infarction"),
    ("I61.9", "脳内出血", "Intracerebral haemorrhage"),
    ("I60.9", "くも膜下出血", "Subarachnoid haemorrhage"),
    ("G45.9", "一過性脳虚血発作", "Transient ischaemic attack"),
    ("I21.9", "急性心筋梗塞", "Acute myocardial infarction"),
    ("I20.0", "不安定狭心症", "Unstable angina"),
    ("I46.9", "心停止", "Cardiac arrest"),
    ("I50.9", "心不全", "Heart failure"),
    ("I48.9", "心房細動", "Atrial fibrillation"),
    ("I71.0", "大動脈解離", "Aortic dissection"),
    ("I26.9", "肺塞栓症", "Pulmonary embolism"),
    ("J18.9", "肺炎", "Pneumonia"),
    ("J44.1", "慢性閉塞性肺疾患の急性増悪", "COPD with acute exacerbation"),
    ("J45.9", "気管支喘息", "Asthma"),
    ("A41.9", "敗血症", "Sepsis"),
    ("N39.0", "尿路感染症", "Urinary tract infection"),
    ("E86", "脱水症", "Dehydration"),
    ("E16.2", "低血糖", "Hypoglycaemia"),
    ("T78.2", "アナフィラキシーショック", "Anaphylactic shock"),
    ("G40.9", "てんかん", "Epilepsy"),
    ("R55", "失神", "Syncope and collapse"),
    ("K92.2", "消化管出血", "Gastrointestinal haemorrhage"),
    ("K56.7", "腸閉塞", "Ileus"),
    ("K35.8", "急性虫垂炎", "Acute appendicitis"),
    ("S06.9", "頭部外傷", "Intracranial injury"),
    ("S72.0", "大腿骨頸部骨折", "Fracture of neck of femur"),
    ("T07", "多発外傷", "Multiple injuries"),
    ("T30.0", "熱傷", "Burn"),
    ("T67.0", "熱中症", "Heatstroke"),
    ("T68", "低体温症", "Hypothermia"),
    ("T51.9", "急性アルコール中毒", "Alcohol poisoning"),
    ("T50.9", "薬物中毒", "Drug poisoning"),
    ("T17.9", "気道異物", "Foreign body in airway"),
    ("N18.5", "慢性腎臓病（透析）", "Chronic kidney disease (dialysis)"),
)


def common(lang: str) -> list[dict]:
    """The list in the reader's language (ja unless en)."""
    return [{"code": code, "display": en if lang == "en" else ja} for code, ja, en in COMMON]
