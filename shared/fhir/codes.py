"""Every URL, identifier system and code the FHIR form of the record uses, in one place.

Why a table of its own: the export and the import must agree on each of them to the letter,
and a reviewer must be able to hold each one against the guide it came from (docs/fhir.md
names the page for each). JP-CLINS is the national 電子カルテ情報共有サービス guide (profiles under
http://jpfhir.jp/fhir/eCS and /clins), JP Core the base Japanese profiles under
http://jpfhir.jp/fhir/core. Where neither defines something the record holds, the code lives
under our own base LOCAL, never under a national URL we made up."""
from __future__ import annotations

from typing import NamedTuple

from shared.schemas.record import Source

# Our own systems (an .invalid host: nothing resolves there and nobody else can own it).
LOCAL = "https://prearrival.invalid/fhir"
AS_OF = f"{LOCAL}/StructureDefinition/as-of"                  # item.as_of where FHIR has no element for it
CARD = f"{LOCAL}/StructureDefinition/card"                    # what the card reader sees (kind, certificate)
ALLERGY_KIND = f"{LOCAL}/StructureDefinition/allergy-kind"    # OtherAllergy.kind (food, latex, contrast...)
WINDOW_DAYS = f"{LOCAL}/StructureDefinition/window-days"      # CategoryStatus.window_days
CATEGORY = f"{LOCAL}/CodeSystem/record-category"              # which list of the record an item belongs to
LAB_PANEL = f"{LOCAL}/CodeSystem/lab-panel"                   # emergency | lifestyle
DRUG_CLASS = f"{LOCAL}/CodeSystem/drug-class"                 # anticoagulant | antiplatelet | other
CHECKUP = f"{LOCAL}/CodeSystem/checkup"                       # 特定健診 as one panel
REFERRAL = f"{LOCAL}/CodeSystem/reference-range"              # 受診勧奨判定値
JCS = f"{LOCAL}/CodeSystem/jcs"                               # Japan Coma Scale (no JP Core code found)
BASIS = f"{LOCAL}/CodeSystem/basis"                           # consent | emergency_exception
CARD_ID = f"{LOCAL}/sid/card"                                 # the id the card reader hands over
SOURCE_ERROR = f"{LOCAL}/CodeSystem/source-error"            # card_not_found | certificate_expired | source_unavailable
INCIDENT_ID = f"{LOCAL}/sid/incident"

# JP-CLINS (電子カルテ情報共有サービス) profiles.
ECS = "http://jpfhir.jp/fhir/eCS/StructureDefinition"
JP_PATIENT_ECS = f"{ECS}/JP_Patient_eCS"
JP_ALLERGY_ECS = f"{ECS}/JP_AllergyIntolerance_eCS"
JP_CONDITION_ECS = f"{ECS}/JP_Condition_eCS"
JP_LAB_ECS = f"{ECS}/JP_Observation_LabResult_eCS"
JP_MEDREQ_ECS = f"{ECS}/JP_MedicationRequest_eCS"
JP_BUNDLE_CLINS = "http://jpfhir.jp/fhir/clins/StructureDefinition/JP_Bundle_CLINS"
BUNDLE_RESOURCE_TYPE = "http://jpfhir.jp/fhir/clins/CodeSystem/BundleResourceType_CS"
BUNDLE_IDENTIFIER = "http://jpfhir.jp/fhir/clins/bundle-identifier"
INSTITUTION_NUMBER = "http://jpfhir.jp/fhir/clins/Extension/StructureDefinition/JP_eCS_InstitutionNumber"
INSTITUTION_NO = "http://jpfhir.jp/fhir/core/IdSystem/insurance-medical-institution-no"
RESOURCE_INSTANCE = "http://jpfhir.jp/fhir/core/IdSystem/resourceInstance-identifier"
# 被保険者個人識別子 "保険者番号:記号:番号:枝番". The guide's later pages name the clins system; earlier
# ones (and some invariants) the eCS one, spelt "Idsysmem" there. We write the first, read both.
MEMBER_ID = "http://jpfhir.jp/fhir/clins/Idsystem/JP_Insurance_memberID"
MEMBER_ID_OLD = "http://jpfhir.jp/fhir/eCS/Idsysmem/JP_Insurance_memberID"

# JP Core profiles for what the 5 information do not cover (claims, EMS).
CORE = "http://jpfhir.jp/fhir/core/StructureDefinition"
JP_ENCOUNTER = f"{CORE}/JP_Encounter"
JP_MEDICATION_DISPENSE = f"{CORE}/JP_MedicationDispense"
JP_PROCEDURE = f"{CORE}/JP_Procedure"
JP_VITAL_SIGNS = f"{CORE}/JP_Observation_VitalSigns"
JP_SIMPLE_CATEGORY = "http://jpfhir.jp/fhir/core/CodeSystem/JP_SimpleObservationCategory_CS"

# Terminologies.
YJ = "http://capstandard.jp/iyaku.info/CodeSystem/YJ-code"   # 個別医薬品コード (urn:oid:1.2.392.100495.20.2.73)
ICD10 = "http://jpfhir.jp/fhir/core/mhlw/CodeSystem/ICD10-2013-full"
MEDIS_DISEASE_KEY = "http://medis.or.jp/CodeSystem/master-disease-keyNumber"  # 病名管理番号 (urn:oid:1.2.392.200119.4.101.2)
UNCODED_DISEASE = "99999999"  # 病名管理番号の桁数の全桁9: the guide's "could not be coded"
JFAGY_FOOD = "http://jpfhir.jp/fhir/core/CodeSystem/JP_JfagyFoodAllergen_CS"
JFAGY_MEDICATION = "http://jpfhir.jp/fhir/core/CodeSystem/JP_JfagyMedicationAllergen_CS"
JFAGY_OTHER = "http://jpfhir.jp/fhir/core/CodeSystem/JP_JfagyNonFoodNonMedicationAllergen_CS"
# JFAGY dummy codes: the substance is named in code.text only.
ALLERGEN_DUMMY = {JFAGY_FOOD: ("D9F000000000", "食品ダミーコード"),
                  JFAGY_MEDICATION: ("D9M000000000", "医薬品ダミーコード"),
                  JFAGY_OTHER: ("D9N000000000", "非食品・非医薬品ダミーコード")}
LAB_LOCAL = "http://jpfhir.jp/fhir/clins/CodeSystem/JP_CLINS_ObsLabResult_LocalCode_CS"
LAB_CORE = "http://jpfhir.jp/fhir/clins/CodeSystem/JLAC10/JP_CLINS_ObsLabResult_CoreLabo_CS"
LAB_INFECTION = "http://jpfhir.jp/fhir/clins/CodeSystem/JLAC10/JP_CLINS_ObsLabResult_InfectionLabo_CS"
LAB_JLAC10 = "http://medis.or.jp/CodeSystem/master-JLAC10-17digits"
LAB_UNCODED = "http://jpfhir.jp/fhir/clins/CodeSystem/JP_CLINS_ObsLabResult_Uncoded_CS"
UNCODED_LAB = ("99999999999999999", "未標準化コード項目(JLAC)")
DOC_TYPE = "http://jpfhir.jp/fhir/Common/CodeSystem/doc-typecodes"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
V3_ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
V3_ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
V3_INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
ALLERGY_VERIFICATION = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
LIST_EMPTY_REASON = "http://terminology.hl7.org/CodeSystem/list-empty-reason"
REFERENCE_RANGE_MEANING = "http://terminology.hl7.org/CodeSystem/referencerange-meaning"
PROVENANCE_AGENT = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
NAME_REPRESENTATION = "http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation"

# The national services each item comes from, as meta.source and as the Provenance agent.
SOURCE_URI = {Source.OQC: f"{LOCAL}/source/oqc", Source.EPRESCRIPTION: f"{LOCAL}/source/eprescription",
              Source.EMR_SHARING: f"{LOCAL}/source/emr-sharing"}
SOURCE_OF_URI = {uri: source for source, uri in SOURCE_URI.items()}
SOURCE_NAME = {Source.OQC: "オンライン資格確認等システム", Source.EPRESCRIPTION: "電子処方箋管理サービス",
               Source.EMR_SHARING: "電子カルテ情報共有サービス"}

# SNOMED CT findings a "nothing known" AllergyIntolerance carries (as IPS does).
NO_KNOWN_ALLERGY = ("716186003", "No known allergy")
NO_KNOWN_DRUG_ALLERGY = ("409137002", "No known drug allergy")
NO_KNOWN = {NO_KNOWN_ALLERGY[0], NO_KNOWN_DRUG_ALLERGY[0], "429625007", "428607008"}  # + food, environmental
ANAPHYLAXIS = ("39579001", "Anaphylaxis")
SURGICAL = ("387713003", "Surgical procedure")
THERAPEUTIC = ("277132007", "Therapeutic procedure")
DIALYSIS = {"hemodialysis": ("302497006", "Hemodialysis"), "peritoneal": ("71192002", "Peritoneal dialysis")}

DOCUMENT_TYPES = {"referral_letter": ("57133-1", "診療情報提供書"),
                  "discharge_summary": ("18842-5", "退院時サマリー"),
                  "checkup_report": ("JPGCHKUP01", "健診結果報告書")}


class LabCode(NamedTuple):
    local: str          # our code in the guide's LocalCode system (letters, digits, hyphen only)
    system: str         # LAB_CORE for the 指定検査43項目, LAB_JLAC10 otherwise
    jlac10: str         # 17 digits; method 998 (測定法問わず) where the set has one
    display: str        # the set's FHIR識別名 (LAB_CORE) or the item name
    specimen: str


# The simulator's tests, in the guide's coding: the local code always, then the JLAC10 code.
LABS: dict[str, LabCode] = {
    "WBC": LabCode("WBC", LAB_CORE, "2A010000001999801", "WBC", "全血(添加物入り)"),
    "Hb": LabCode("HB", LAB_CORE, "2A030000001999801", "Hb", "全血(添加物入り)"),
    "PLT": LabCode("PLT", LAB_CORE, "2A050000001999801", "PLT", "全血(添加物入り)"),
    "CRP": LabCode("CRP", LAB_CORE, "5C070000002399801", "CRP", "血清"),
    "AST": LabCode("AST", LAB_CORE, "3B035000002399801", "AST", "血清"),
    "ALT": LabCode("ALT", LAB_CORE, "3B045000002399801", "ALT", "血清"),
    "BUN": LabCode("BUN", LAB_CORE, "3C025000002399801", "BUN", "血清"),
    "Cr": LabCode("CRE", LAB_CORE, "3C015000002399801", "Cre", "血清"),
    "Na": LabCode("NA", LAB_CORE, "3H010000002399801", "Na", "血清"),
    "K": LabCode("K", LAB_CORE, "3H015000002399801", "K", "血清"),
    "血糖": LabCode("GLU", LAB_CORE, "3D010000002399801", "BS", "血清"),
    "PT-INR": LabCode("PT-INR", LAB_CORE, "2B030000002299857", "PT-INR", "血漿"),
    "HbA1c": LabCode("HBA1C", LAB_CORE, "3D046000001999802", "HbA1c-NGSP", "全血(添加物入り)"),
    "LDL-C": LabCode("LDL-C", LAB_CORE, "3F077000002399801", "LDL-C", "血清"),
    "HDL-C": LabCode("HDL-C", LAB_CORE, "3F070000002399801", "HDL-C", "血清"),
    "TG": LabCode("TG", LAB_CORE, "3F015000002399801", "TG", "血清"),
    "UA": LabCode("UA", LAB_CORE, "3C020000002399801", "UA", "血清"),
    "eGFR": LabCode("EGFR", LAB_JLAC10, "8A065000002391901", "推算GFR", "血清"),  # not in the 43: general JLAC10
}


class InfectionCode(NamedTuple):
    local: str
    jlac10: str         # in LAB_INFECTION (指定感染症): qualitative result, serum, method 998
    display: str        # the set's name for the code
    text: str           # what a Japanese clinician reads


INFECTIONS: dict[str, InfectionCode] = {
    "HBs": InfectionCode("HBSAG", "5F016141002399811", "HBs抗原(判定)", "HBs抗原"),
    "HCV": InfectionCode("HCVAB", "5F360152102399811", "HCV抗体(判定)", "HCV抗体"),
    "HIV": InfectionCode("HIVAGAB", "5F560155002399851", "HIV-1+2抗体・p24抗原(判定)", "HIV抗原・抗体"),
    "syphilis": InfectionCode("TPAB", "5E075135102399811", "梅毒TP抗体(定性)", "梅毒TP抗体"),
}
INFECTION_RESULT = {"positive": ("POS", "Positive", "陽性"), "negative": ("NEG", "Negative", "陰性")}


class VitalCode(NamedTuple):
    loinc: str
    display: str
    unit: str           # UCUM
    profile: str        # the R4 vital-signs profile


VITAL_PROFILE = "http://hl7.org/fhir/StructureDefinition"
VITALS: dict[str, VitalCode] = {
    "heart_rate": VitalCode("8867-4", "Heart rate", "/min", f"{VITAL_PROFILE}/heartrate"),
    "respiratory_rate": VitalCode("9279-1", "Respiratory rate", "/min", f"{VITAL_PROFILE}/resprate"),
    "spo2": VitalCode("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry", "%",
                      f"{VITAL_PROFILE}/oxygensat"),
    "temperature": VitalCode("8310-5", "Body temperature", "Cel", f"{VITAL_PROFILE}/bodytemp"),
}
SPO2_R4 = ("2708-6", "Oxygen saturation in Arterial blood")  # the code R4's oxygensat profile fixes
BP_PANEL = VitalCode("85354-9", "Blood pressure panel with all children optional", "mm[Hg]", f"{VITAL_PROFILE}/bp")
SYSTOLIC = ("8480-6", "Systolic blood pressure")
DIASTOLIC = ("8462-4", "Diastolic blood pressure")
GCS_TOTAL = ("9269-2", "Glasgow coma score total")
GCS_PARTS = {"eye": ("9267-6", "Glasgow coma score eye opening"),
             "verbal": ("9270-0", "Glasgow coma score verbal"),
             "motor": ("9268-4", "Glasgow coma score motor")}
JCS_CODE = ("jcs", "Japan Coma Scale")
