"""Chronic conditions and acute episodes the simulator draws its patients' histories from.

Why it exists: a record is only useful for testing the ER's "critical facts first" view if
its parts hang together: atrial fibrillation brings an anticoagulant and cardiology visits,
dialysis brings a shunt operation and thrice-weekly sessions, a hip fracture brings an
admission, an operation and a discharge summary. Prevalences rise with age because most
emergency transports are elderly; they are rough figures for an ambulance population,
not epidemiology.
"""
from __future__ import annotations

from typing import NamedTuple

# Age bands used by every prevalence tuple below.
AGE_BANDS: tuple[tuple[int, int], ...] = ((0, 17), (18, 39), (40, 64), (65, 74), (75, 120))


def band_of(age: int) -> int:
    return next(i for i, (lo, hi) in enumerate(AGE_BANDS) if lo <= age <= hi)


class Condition(NamedTuple):
    name: str
    icd10: str
    prevalence: tuple[float, float, float, float, float]
    drugs: tuple[tuple[float, tuple[str, ...]], ...]  # (probability, pick one of these)
    where: str = "clinic"  # which of the patient's institutions manages it
    sex: str | None = None
    procedure: tuple[str, float, int] | None = None  # (operation, probability, inpatient days)
    checks: tuple[tuple[str, int], ...] = ()  # (examination, every n-th regular visit)


_ANTICOAGULANTS = ("apixaban", "apixaban", "apixaban", "edoxaban", "edoxaban", "edoxaban",
                   "rivaroxaban", "dabigatran", "warfarin", "warfarin")

CONDITIONS: dict[str, Condition] = {
    "hypertension": Condition("高血圧症", "I10", (0, .03, .25, .45, .60),
                              ((.75, ("amlodipine",)), (.6, ("olmesartan", "telmisartan", "candesartan")))),
    "diabetes": Condition("2型糖尿病", "E11.9", (0, .01, .10, .17, .20),
                          ((.7, ("metformin",)), (.6, ("sitagliptin", "linagliptin")), (.2, ("glimepiride",))),
                          checks=(("眼底検査", 6),)),
    "dyslipidemia": Condition("脂質異常症", "E78.5", (0, .02, .20, .30, .28),
                              ((.85, ("rosuvastatin", "atorvastatin")),)),
    "af": Condition("心房細動", "I48.9", (0, 0, .01, .05, .10),
                    ((.92, _ANTICOAGULANTS), (.5, ("bisoprolol",))), "hospital",
                    procedure=("経皮的カテーテル心筋焼灼術", .1, 4),
                    checks=(("心電図検査", 2), ("心臓超音波検査", 6))),
    "ihd": Condition("狭心症", "I20.9", (0, 0, .02, .06, .09),
                     ((.92, ("aspirin",)), (.35, ("clopidogrel", "clopidogrel", "prasugrel")),
                      (.5, ("nitroglycerin",)), (.4, ("bisoprolol",))), "hospital",
                     procedure=("経皮的冠動脈ステント留置術", .5, 4), checks=(("心電図検査", 2),)),
    "stroke": Condition("脳梗塞後遺症", "I69.3", (0, 0, .01, .04, .08),
                        ((.85, ("clopidogrel", "aspirin", "cilostazol")),), "hospital",
                        checks=(("頭部MRI撮影", 8),)),
    "vte": Condition("深部静脈血栓症", "I80.2", (0, .002, .005, .01, .012),
                     ((.9, ("edoxaban", "apixaban5", "rivaroxaban")),), "hospital",
                     checks=(("下肢静脈超音波検査", 6),)),
    "hf": Condition("慢性心不全", "I50.9", (0, 0, .005, .03, .08),
                    ((.85, ("furosemide",)), (.4, ("spironolactone",)), (.4, ("bisoprolol",))), "hospital",
                    checks=(("胸部X線撮影", 3), ("心臓超音波検査", 6))),
    "dialysis": Condition("慢性腎不全（維持透析）", "N18.5", (0, .005, .04, .07, .07),
                          ((.8, ("lanthanum",)), (.6, ("alfacalcidol",))), "dialysis",
                          procedure=("内シャント設置術", 1.0, 3)),
    "dementia": Condition("アルツハイマー型認知症", "G30.9", (0, 0, .002, .03, .15),
                          ((.8, ("donepezil", "donepezil", "memantine")),)),
    "gerd": Condition("逆流性食道炎", "K21.0", (0, .03, .08, .12, .15),
                      ((.9, ("lansoprazole", "vonoprazan")),), checks=(("上部消化管内視鏡検査", 12),)),
    "constipation": Condition("慢性便秘症", "K59.0", (.01, .01, .03, .08, .20), ((.95, ("magnesium",)),)),
    "osteoporosis": Condition("骨粗鬆症", "M81.0", (0, 0, .03, .15, .25),
                              ((.6, ("alendronate",)), (.6, ("eldecalcitol",))), sex="female",
                              checks=(("骨塩定量検査", 6),)),
    "insomnia": Condition("不眠症", "G47.0", (0, .03, .06, .10, .15), ((.95, ("zolpidem", "lemborexant")),)),
    "hypothyroid": Condition("甲状腺機能低下症", "E03.9", (.002, .01, .03, .04, .04), ((1.0, ("levothyroxine",)),)),
    "hyperuricemia": Condition("高尿酸血症", "E79.0", (0, .02, .08, .10, .08), ((.9, ("febuxostat",)),),
                               sex="male"),
    "bph": Condition("前立腺肥大症", "N40", (0, 0, .05, .20, .30), ((.9, ("tamsulosin",)),), sex="male"),
    "copd": Condition("慢性閉塞性肺疾患", "J44.9", (0, 0, .01, .04, .06), ((.9, ("triple_inhaler",)),),
                      checks=(("呼吸機能検査", 6),)),
    "asthma": Condition("気管支喘息", "J45.9", (.06, .04, .03, .03, .03),
                        ((.9, ("budesonide",)), (.3, ("montelukast",)))),
    "atopic": Condition("アトピー性皮膚炎", "L20.9", (.10, .05, .02, .01, .01), ((.9, ("heparinoid",)),),
                        "specialist"),
    "epilepsy": Condition("てんかん", "G40.9", (.005, .007, .007, .01, .012), ((1.0, ("levetiracetam",)),),
                          "hospital", checks=(("脳波検査", 6),)),
    "parkinson": Condition("パーキンソン病", "G20", (0, 0, .002, .01, .02), ((1.0, ("levodopa",)),), "hospital"),
    "depression": Condition("うつ病", "F32.9", (.002, .03, .03, .02, .02), ((.9, ("escitalopram",)),)),
    "glaucoma": Condition("緑内障", "H40.9", (0, 0, .02, .05, .08), ((.9, ("latanoprost",)),), "specialist",
                          checks=(("眼圧検査", 1),)),
}


class Episode(NamedTuple):
    name: str
    icd10: str
    weights: tuple[float, float, float, float, float]  # relative frequency per age band
    where: str  # clinic, specialist, emergency or hospital
    drugs: tuple[tuple[str, ...], ...] = ()  # each slot: one of these
    days: int = 5
    treatments: tuple[str, ...] = ()
    inpatient: tuple[int, int] | None = None  # length of stay
    surgery: str | None = None
    requires: str | None = None  # only for patients with this condition


EPISODES: dict[str, Episode] = {
    "uri": Episode("急性上気道炎", "J06.9", (10, 6, 4, 3, 3), "clinic",
                   (("acetaminophen",), ("carbocisteine",), ("dextromethorphan", "kakkonto"))),
    "bronchitis": Episode("急性気管支炎", "J20.9", (4, 2, 2, 2, 3), "clinic",
                          (("carbocisteine",), ("clarithromycin", "cefcapene", "amoxicillin")),
                          treatments=("胸部X線撮影",)),
    "gastroenteritis": Episode("感染性胃腸炎", "A09", (6, 3, 2, 2, 2), "clinic", (("probiotic",),),
                               treatments=("点滴注射",)),
    "lumbago": Episode("腰痛症", "M54.5", (0, 4, 4, 3, 3), "specialist", (("loxoprofen", "celecoxib"),), 14,
                       ("腰椎X線撮影", "消炎鎮痛処置")),
    "cystitis": Episode("急性膀胱炎", "N30.0", (1, 2, 2, 3, 3), "clinic", (("levofloxacin", "cefcapene"),),
                        treatments=("尿一般検査",)),
    "zoster": Episode("帯状疱疹", "B02.9", (0, 1, 2, 2, 2), "specialist",
                      (("amenamevir",), ("acetaminophen",)), 7),
    "pneumonia": Episode("肺炎", "J18.9", (1, .3, 1, 3, 5), "hospital", (("acetaminophen",),), 7,
                         ("胸部X線撮影", "胸部CT撮影", "点滴注射", "酸素吸入", "喀痰培養検査"), (8, 21)),
    "hip_fracture": Episode("大腿骨頸部骨折", "S72.0", (0, 0, .2, 1, 2.5), "hospital", (("acetaminophen",),),
                            14, ("股関節X線撮影", "CT撮影", "リハビリテーション（運動器）"), (21, 42),
                            "人工骨頭挿入術（股関節）"),
    "heat": Episode("熱中症", "T67.0", (.5, .5, .5, 1, 1.5), "emergency", (),
                    treatments=("点滴注射", "血液検査（生化学・血算）")),
    "head_injury": Episode("頭部打撲", "S00.0", (2, 1, 1, 1.5, 2), "emergency", (("acetaminophen",),), 3,
                           ("頭部CT撮影", "創傷処理")),
    "syncope": Episode("失神", "R55", (.3, .5, 1, 1.5, 2), "emergency", (),
                       treatments=("心電図検査", "頭部CT撮影", "血液検査（生化学・血算）")),
    "cellulitis": Episode("蜂窩織炎", "L03.1", (.3, .5, 1, 1, 1.5), "hospital",
                          (("cefcapene", "amoxicillin", "levofloxacin"),), 7, ("血液検査（生化学・血算）",)),
    "appendicitis": Episode("急性虫垂炎", "K35.8", (1, .8, .3, .1, .1), "hospital", (("acetaminophen",),), 3,
                            ("腹部CT撮影", "点滴注射"), (4, 7), "腹腔鏡下虫垂切除術"),
    "cholecystitis": Episode("急性胆嚢炎", "K81.0", (0, .2, .5, .6, .6), "hospital", (), 0,
                             ("腹部超音波検査", "腹部CT撮影", "点滴注射"), (5, 10), "腹腔鏡下胆嚢摘出術"),
    "cataract": Episode("白内障", "H25.9", (0, 0, .3, 1.2, 1.2), "specialist", (), 0,
                        ("眼科術前検査",), surgery="水晶体再建術（眼内レンズ挿入）"),
    "hf_worse": Episode("慢性心不全急性増悪", "I50.0", (0, 0, 2, 4, 6), "hospital", (("furosemide",),), 14,
                        ("胸部X線撮影", "心臓超音波検査", "酸素吸入", "点滴注射"), (10, 24),
                        requires="hf"),
}

# Acute episodes per year by age band (emergency-heavy for children and the old-old).
EPISODE_RATE: tuple[float, ...] = (1.4, 0.5, 0.6, 0.9, 1.3)
