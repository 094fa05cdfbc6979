"""The simulator's drug catalogue, drug allergens and registered drug contraindications.

Why it exists: the first thing an ER physician looks for is anticoagulants, antiplatelets,
drug allergies and contraindications, so the synthetic records must carry real Japanese
product names, doses written the way a Japanese prescription writes them, and codes in
the YJ format (4-digit efficacy class + 3-digit ingredient + dosage-form letter + 4 digits).
The codes follow the real classification pattern but are not authoritative: never use
them for dispensing. `drug_class` is stated explicitly, not derived from the code: a
heparinoid skin cream sits in efficacy class 333 yet is no anticoagulant for the ER.
"""
from __future__ import annotations

from typing import Literal, NamedTuple


class Drug(NamedTuple):
    name: str
    code: str
    dose: str
    drug_class: Literal["anticoagulant", "antiplatelet", "other"] = "other"
    allergen: str | None = None  # key into DRUG_ALLERGENS when this drug belongs to that group


_A = "anticoagulant"
_P = "antiplatelet"

CATALOGUE: dict[str, Drug] = {
    # anticoagulants
    "warfarin": Drug("ワルファリンカリウム錠1mg", "3332001F1010", "1回2.5錠 1日1回 朝食後（PT-INRで調整）", _A),
    "apixaban": Drug("エリキュース錠2.5mg", "3339004F1025", "1回1錠 1日2回 朝夕食後", _A),
    "apixaban5": Drug("エリキュース錠5mg", "3339004F2021", "1回1錠 1日2回 朝夕食後", _A),
    "edoxaban": Drug("リクシアナ錠30mg", "3339002F2023", "1回1錠 1日1回 朝食後", _A),
    "edoxaban60": Drug("リクシアナ錠60mg", "3339002F3020", "1回1錠 1日1回 朝食後", _A),
    "rivaroxaban": Drug("イグザレルト錠15mg", "3339003F2026", "1回1錠 1日1回 朝食後", _A),
    "dabigatran": Drug("プラザキサカプセル110mg", "3339001M2027", "1回1カプセル 1日2回 朝夕食後", _A),
    # antiplatelets
    "aspirin": Drug("バイアスピリン錠100mg", "3399007H1021", "1回1錠 1日1回 朝食後", _P),
    "clopidogrel": Drug("プラビックス錠75mg", "3399008F2022", "1回1錠 1日1回 朝食後", _P),
    "prasugrel": Drug("エフィエント錠3.75mg", "3399009F1025", "1回1錠 1日1回 朝食後", _P),
    "cilostazol": Drug("シロスタゾールOD錠100mg", "3399002F3020", "1回1錠 1日2回 朝夕食後", _P),
    # cardiovascular
    "amlodipine": Drug("アムロジピン錠5mg", "2171022F2037", "1回1錠 1日1回 朝食後"),
    "olmesartan": Drug("オルメサルタン錠20mg", "2149044F2020", "1回1錠 1日1回 朝食後"),
    "telmisartan": Drug("テルミサルタン錠40mg", "2149042F2028", "1回1錠 1日1回 朝食後"),
    "candesartan": Drug("カンデサルタン錠8mg", "2149040F3024", "1回1錠 1日1回 朝食後"),
    "bisoprolol": Drug("ビソプロロールフマル酸塩錠2.5mg", "2123016F2020", "1回1錠 1日1回 朝食後"),
    "furosemide": Drug("フロセミド錠20mg", "2139005F1026", "1回1錠 1日1回 朝食後"),
    "spironolactone": Drug("スピロノラクトン錠25mg", "2133001F1027", "1回1錠 1日1回 朝食後"),
    "nitroglycerin": Drug("ニトロペン舌下錠0.3mg", "2171011K1010", "胸痛時 1回1錠 舌下（頓用10回分）"),
    "rosuvastatin": Drug("ロスバスタチン錠2.5mg", "2189017F1037", "1回1錠 1日1回 夕食後"),
    "atorvastatin": Drug("アトルバスタチン錠10mg", "2189015F2035", "1回1錠 1日1回 夕食後"),
    # diabetes, metabolism
    "metformin": Drug("メトホルミン塩酸塩錠250mg", "3962002F1038", "1回1錠 1日2回 朝夕食後"),
    "sitagliptin": Drug("シタグリプチン錠50mg", "3969010F2020", "1回1錠 1日1回 朝食後"),
    "linagliptin": Drug("トラゼンタ錠5mg", "3969015F1022", "1回1錠 1日1回 朝食後"),
    "glimepiride": Drug("グリメピリド錠1mg", "3961008F1034", "1回1錠 1日1回 朝食後"),
    "febuxostat": Drug("フェブキソスタット錠20mg", "3949003F2025", "1回1錠 1日1回 朝食後"),
    "levothyroxine": Drug("レボチロキシンNa錠50μg", "2431004F2025", "1回1錠 1日1回 朝食後"),
    # digestive
    "lansoprazole": Drug("ランソプラゾールOD錠15mg", "2329023F2028", "1回1錠 1日1回 朝食後"),
    "vonoprazan": Drug("タケキャブ錠10mg", "2329030F1022", "1回1錠 1日1回 朝食後"),
    "magnesium": Drug("酸化マグネシウム錠330mg", "2344009F1028", "1回1錠 1日3回 毎食後"),
    "probiotic": Drug("ビオフェルミン錠剤", "2316004F1036", "1回2錠 1日3回 毎食後"),
    # nervous system
    "donepezil": Drug("ドネペジル塩酸塩OD錠5mg", "1190012F2034", "1回1錠 1日1回 朝食後"),
    "memantine": Drug("メマリー錠20mg", "1190018F3021", "1回1錠 1日1回 夕食後"),
    "zolpidem": Drug("ゾルピデム酒石酸塩錠5mg", "1129009F1033", "1回1錠 1日1回 就寝前"),
    "lemborexant": Drug("デエビゴ錠5mg", "1190026F2024", "1回1錠 1日1回 就寝前"),
    "escitalopram": Drug("エスシタロプラム錠10mg", "1179054F1023", "1回1錠 1日1回 夕食後"),
    "levetiracetam": Drug("レベチラセタム錠500mg", "1139010F2021", "1回1錠 1日2回 朝夕食後"),
    "levodopa": Drug("レボドパ・カルビドパ配合錠L100", "1169101F1026", "1回1錠 1日3回 毎食後"),
    # bone, urology, respiratory, skin
    "alendronate": Drug("アレンドロン酸錠35mg", "3999018F2032", "1回1錠 週1回 起床時"),
    "eldecalcitol": Drug("エディロールカプセル0.75μg", "3112005M2025", "1回1カプセル 1日1回 朝食後"),
    "tamsulosin": Drug("タムスロシン塩酸塩OD錠0.2mg", "2590008F2038", "1回1錠 1日1回 朝食後"),
    "triple_inhaler": Drug("テリルジー200エリプタ30吸入用", "2290803G1022", "1日1回 1吸入"),
    "budesonide": Drug("シムビコートタービュヘイラー30吸入", "2290801G1029", "1回2吸入 1日2回"),
    "montelukast": Drug("モンテルカストチュアブル錠5mg", "4490026F3021", "1回1錠 1日1回 就寝前"),
    "latanoprost": Drug("ラタノプロスト点眼液0.005%", "1319760Q1030", "1日1回 1滴 両眼に点眼"),
    "heparinoid": Drug("ヘパリン類似物質クリーム0.3%", "3339950N1022", "1日2回 患部に塗布"),
    # dialysis
    "lanthanum": Drug("ホスレノールOD錠250mg", "2190032F2023", "1回1錠 1日3回 毎食直後"),
    "alfacalcidol": Drug("アルファカルシドールカプセル0.5μg", "3112001M2020", "1回1カプセル 1日1回 朝食後"),
    # acute use
    "acetaminophen": Drug("カロナール錠200mg", "1141007F1063", "1回2錠 発熱・疼痛時 頓用"),
    "loxoprofen": Drug("ロキソプロフェンNa錠60mg", "1149019F1560", "1回1錠 1日3回 毎食後", allergen="nsaids"),
    "celecoxib": Drug("セレコキシブ錠100mg", "1149037F1020", "1回1錠 1日2回 朝夕食後", allergen="nsaids"),
    "carbocisteine": Drug("カルボシステイン錠500mg", "2233002F2030", "1回1錠 1日3回 毎食後"),
    "dextromethorphan": Drug("デキストロメトルファン臭化水素酸塩錠15mg", "2223001F1033", "1回2錠 1日3回 毎食後"),
    "amoxicillin": Drug("アモキシシリンカプセル250mg", "6131001M2037", "1回1カプセル 1日3回 毎食後", allergen="penicillin"),
    "cefcapene": Drug("セフカペンピボキシル塩酸塩錠100mg", "6132016F1030", "1回1錠 1日3回 毎食後", allergen="cephem"),
    "clarithromycin": Drug("クラリスロマイシン錠200mg", "6149003F2038", "1回1錠 1日2回 朝夕食後", allergen="macrolide"),
    "levofloxacin": Drug("レボフロキサシン錠500mg", "6241013F2020", "1回1錠 1日1回 朝食後", allergen="quinolone"),
    "amenamevir": Drug("アメナリーフ錠200mg", "6250047F1022", "1回2錠 1日1回 朝食後"),
    "kakkonto": Drug("ツムラ葛根湯エキス顆粒（医療用）", "5200013D1028", "1回2.5g 1日3回 毎食前"),
}

# key: (substance as the allergy is recorded, possible reactions, severity weights mild/moderate/severe)
DRUG_ALLERGENS: dict[str, tuple[str, tuple[str, ...], tuple[int, int, int]]] = {
    "penicillin": ("ペニシリン系抗菌薬", ("全身の薬疹", "蕁麻疹", "アナフィラキシーショック"), (4, 4, 2)),
    "cephem": ("セフェム系抗菌薬", ("薬疹", "蕁麻疹", "アナフィラキシー"), (5, 4, 1)),
    "contrast": ("ヨード造影剤", ("蕁麻疹", "嘔吐・血圧低下", "アナフィラキシーショック"), (4, 4, 2)),
    "nsaids": ("NSAIDs（ロキソプロフェン等）", ("喘息発作（NSAIDs過敏喘息）", "蕁麻疹・血管性浮腫"), (2, 6, 2)),
    "quinolone": ("ニューキノロン系抗菌薬", ("薬疹", "痙攣"), (6, 3, 1)),
    "macrolide": ("マクロライド系抗菌薬", ("薬疹", "肝機能障害"), (6, 4, 0)),
    "lidocaine": ("局所麻酔薬（リドカイン）", ("血圧低下・意識消失", "顔面紅潮"), (3, 5, 2)),
    "carbamazepine": ("カルバマゼピン", ("スティーブンス・ジョンソン症候群",), (0, 2, 8)),
    "sulfa": ("サルファ剤（ST合剤）", ("薬疹", "発熱・肝障害"), (6, 4, 0)),
}
DRUG_ALLERGEN_WEIGHTS: dict[str, int] = {
    "penicillin": 30, "cephem": 15, "contrast": 15, "nsaids": 15, "quinolone": 8,
    "macrolide": 5, "lidocaine": 4, "carbamazepine": 3, "sulfa": 5,
}

class OtherAllergen(NamedTuple):
    """An その他アレルギー as the EMR sharing service records it (AllergyIntolerance): its kind,
    and severity and anaphylaxis stated explicitly (None: the record leaves severity unsaid)."""
    substance: str
    reaction: str
    child_weight: int
    adult_weight: int
    kind: str
    severity: str | None
    anaphylaxis: bool = False


OTHER_ALLERGENS: tuple[OtherAllergen, ...] = (
    OtherAllergen("卵", "蕁麻疹・嘔吐", 10, 1, "food", "mild"),
    OtherAllergen("牛乳", "蕁麻疹・嘔吐", 6, 1, "food", "mild"),
    OtherAllergen("小麦", "食物依存性運動誘発アナフィラキシー", 4, 2, "food", "severe", True),
    OtherAllergen("そば", "アナフィラキシー", 2, 3, "food", "severe", True),
    OtherAllergen("落花生", "アナフィラキシー", 3, 1, "food", "severe", True),
    OtherAllergen("えび・かに", "蕁麻疹・口腔内違和感", 2, 5, "food", "moderate"),
    OtherAllergen("ラテックス", "接触蕁麻疹", 1, 3, "latex", None),
    OtherAllergen("スギ花粉", "鼻炎・結膜炎", 3, 6, "environment", "mild"),
    OtherAllergen("ハチ毒", "アナフィラキシー", 0, 2, "environment", "severe", True),
    OtherAllergen("金属（ニッケル）", "接触皮膚炎", 0, 2, "environment", "mild"),
)


def other_allergen(substance: str) -> OtherAllergen:
    return next(a for a in OTHER_ALLERGENS if a.substance == substance)


# Registered 薬剤禁忌 that follow from a condition or from a drug the patient takes:
# trigger -> (drug that must not be given, reason).
CONDITION_CONTRAINDICATIONS: dict[str, tuple[str, str]] = {
    "dialysis": ("メトホルミン塩酸塩", "透析患者（乳酸アシドーシスのおそれ）"),
    "asthma": ("β遮断薬（プロプラノロール等）", "気管支喘息（気管支痙攣を誘発するおそれ）"),
    "bph": ("抗コリン薬（ブチルスコポラミン等）", "前立腺肥大による排尿障害（尿閉のおそれ）"),
    "glaucoma": ("抗コリン薬（ブチルスコポラミン等）", "閉塞隅角緑内障（眼圧上昇のおそれ）"),
    "warfarin": ("ミコナゾール（経口・口腔用ゲル）", "ワルファリン服用中（併用禁忌：出血のおそれ）"),
}


def drug_allergy_contraindication(allergen: str, reaction: str) -> tuple[str, str]:
    """The contraindication a physician registers after a moderate or severe reaction."""
    substance = DRUG_ALLERGENS[allergen][0]
    return substance, f"{reaction}の既往"


def is_anticoagulant(key: str) -> bool:
    return CATALOGUE[key].drug_class == "anticoagulant"


def is_antiplatelet(key: str) -> bool:
    return CATALOGUE[key].drug_class == "antiplatelet"
