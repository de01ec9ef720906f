"""Write the hand-made SNOMED CT subset (terminology/data/snomed_subset/) in RF2 layout.

The table below is the source: public concept ids with their FSN and a few synonyms, and the
relationships the allergy check uses, simplified to one or two parents each. Description and
relationship ids are made here (item numbers from 9100000, our own, not the release's), so
no licensed release file is copied. Run: ``python scripts/make_snomed_subset.py``.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from stdnum import verhoeff

OUT = Path(__file__).resolve().parent.parent / "terminology" / "data" / "snomed_subset"
RELEASE = "20250601"
CORE = "900000000000207008"
PRIMITIVE = "900000000000074008"
FSN, SYNONYM = "900000000000003001", "900000000000013009"
INSENSITIVE = "900000000000448009"
GB = "900000000000508004"
PREFERRED, ACCEPTABLE = "900000000000548007", "900000000000549004"
IS_A, ACTIVE_INGREDIENT, CAUSATIVE_AGENT = "116680003", "127489000", "246075003"

ROOT = "138875005"
FINDING, DISORDER, PROCEDURE = "404684003", "64572001", "71388002"
OBSERVABLE, SUBSTANCE, PRODUCT = "363787002", "105590001", "373873005"
SITUATION = "243796009"
DRUG, FOOD, NSAID, PENICILLIN = "410942007", "255620007", "372665008", "373270004"
MEDICINAL, RESPIRATORY, MENTAL = "763158003", "50043002", "74732009"
ALLERGIC, BP = "609328004", "75367002"

# id, FSN, synonyms (the first is preferred), [(type, destination)]
CONCEPTS: list[tuple[str, str, list[str], list[tuple[str, str]]]] = [
    (ROOT, "SNOMED CT Concept (SNOMED RT+CTV3)", ["SNOMED CT Concept"], []),
    (FINDING, "Clinical finding (finding)", ["Clinical finding"], [(IS_A, ROOT)]),
    (DISORDER, "Disease (disorder)", ["Disease", "Disorder"], [(IS_A, FINDING)]),
    (PROCEDURE, "Procedure (procedure)", ["Procedure"], [(IS_A, ROOT)]),
    (OBSERVABLE, "Observable entity (observable entity)", ["Observable entity"], [(IS_A, ROOT)]),
    (SUBSTANCE, "Substance (substance)", ["Substance"], [(IS_A, ROOT)]),
    (PRODUCT, "Pharmaceutical / biologic product (product)", ["Pharmaceutical / biologic product"],
     [(IS_A, ROOT)]),
    (SITUATION, "Situation with explicit context (situation)", ["Situation with explicit context"],
     [(IS_A, ROOT)]),
    # Problems
    (RESPIRATORY, "Disorder of respiratory system (disorder)", ["Disorder of respiratory system"],
     [(IS_A, DISORDER)]),
    (MENTAL, "Mental disorder (disorder)", ["Mental disorder"], [(IS_A, DISORDER)]),
    ("38341003", "Hypertensive disorder, systemic arterial (disorder)",
     ["Hypertensive disorder, systemic arterial", "Hypertension", "Hypertensive disorder",
      "High blood pressure"],
     [(IS_A, DISORDER)]),
    ("59621000", "Essential hypertension (disorder)",
     ["Essential hypertension", "Primary hypertension"], [(IS_A, "38341003")]),
    ("195967001", "Asthma (disorder)", ["Asthma"], [(IS_A, RESPIRATORY)]),
    ("13645005", "Chronic obstructive lung disease (disorder)",
     ["Chronic obstructive lung disease", "COPD", "Chronic obstructive pulmonary disease"],
     [(IS_A, RESPIRATORY)]),
    ("73211009", "Diabetes mellitus (disorder)", ["Diabetes mellitus"], [(IS_A, DISORDER)]),
    ("44054006", "Diabetes mellitus type 2 (disorder)",
     ["Type 2 diabetes mellitus", "Diabetes mellitus type 2"], [(IS_A, "73211009")]),
    ("46635009", "Diabetes mellitus type 1 (disorder)",
     ["Type 1 diabetes mellitus", "Diabetes mellitus type 1"], [(IS_A, "73211009")]),
    ("396275006", "Osteoarthritis (disorder)", ["Osteoarthritis"], [(IS_A, DISORDER)]),
    ("239873007", "Osteoarthritis of knee (disorder)", ["Osteoarthritis of knee"],
     [(IS_A, "396275006")]),
    ("35489007", "Depressive disorder (disorder)", ["Depressive disorder", "Depression"],
     [(IS_A, MENTAL)]),
    ("197480006", "Anxiety disorder (disorder)", ["Anxiety disorder"], [(IS_A, MENTAL)]),
    ("37796009", "Migraine (disorder)", ["Migraine"], [(IS_A, DISORDER)]),
    ("49436004", "Atrial fibrillation (disorder)", ["Atrial fibrillation", "AF"],
     [(IS_A, DISORDER)]),
    ("22298006", "Myocardial infarction (disorder)", ["Myocardial infarction", "Heart attack"],
     [(IS_A, DISORDER)]),
    ("40930008", "Hypothyroidism (disorder)", ["Hypothyroidism", "Underactive thyroid"],
     [(IS_A, DISORDER)]),
    ("68566005", "Urinary tract infectious disease (disorder)",
     ["Urinary tract infectious disease", "Urinary tract infection", "UTI"], [(IS_A, DISORDER)]),
    ("43116000", "Eczema (disorder)", ["Eczema"], [(IS_A, DISORDER)]),
    ("9014002", "Psoriasis (disorder)", ["Psoriasis"], [(IS_A, DISORDER)]),
    ("414916001", "Obesity (disorder)", ["Obesity"], [(IS_A, DISORDER)]),
    ("709044004", "Chronic kidney disease (disorder)", ["Chronic kidney disease", "CKD"],
     [(IS_A, DISORDER)]),
    ("55822004", "Hyperlipidemia (disorder)", ["Hyperlipidaemia", "Hyperlipidemia"],
     [(IS_A, DISORDER)]),
    ("235595009", "Gastroesophageal reflux disease (disorder)",
     ["Gastro-oesophageal reflux disease", "GORD"], [(IS_A, DISORDER)]),
    # Allergies (findings) and the no-known-allergy situations
    (ALLERGIC, "Allergic disposition (finding)", ["Allergic disposition"], [(IS_A, FINDING)]),
    ("91936005", "Allergy to penicillin (finding)", ["Allergy to penicillin", "Penicillin allergy"],
     [(IS_A, ALLERGIC), (CAUSATIVE_AGENT, PENICILLIN)]),
    ("294505008", "Allergy to amoxicillin (finding)",
     ["Allergy to amoxicillin", "Amoxicillin allergy"],
     [(IS_A, "91936005"), (CAUSATIVE_AGENT, "372687004")]),
    ("91935009", "Allergy to peanut (finding)", ["Allergy to peanut", "Peanut allergy"],
     [(IS_A, ALLERGIC), (CAUSATIVE_AGENT, "762952008")]),
    ("293586001", "Allergy to aspirin (finding)", ["Allergy to aspirin", "Aspirin allergy"],
     [(IS_A, ALLERGIC), (CAUSATIVE_AGENT, "387458008")]),
    ("300916003", "Latex allergy (finding)", ["Latex allergy"],
     [(IS_A, ALLERGIC), (CAUSATIVE_AGENT, "111088007")]),
    ("716186003", "No known allergy (situation)", ["No known allergy", "No known allergies"],
     [(IS_A, SITUATION)]),
    ("409137002", "No known drug allergy (situation)", ["No known drug allergy"],
     [(IS_A, SITUATION)]),
    # Observables and procedures
    (BP, "Blood pressure (observable entity)", ["Blood pressure"], [(IS_A, OBSERVABLE)]),
    ("271649006", "Systolic blood pressure (observable entity)", ["Systolic blood pressure"],
     [(IS_A, BP)]),
    ("271650006", "Diastolic blood pressure (observable entity)", ["Diastolic blood pressure"],
     [(IS_A, BP)]),
    ("364075005", "Heart rate (observable entity)", ["Heart rate", "Pulse rate"],
     [(IS_A, OBSERVABLE)]),
    ("27113001", "Body weight (observable entity)", ["Body weight", "Weight"],
     [(IS_A, OBSERVABLE)]),
    ("50373000", "Body height measure (observable entity)", ["Body height", "Height"],
     [(IS_A, OBSERVABLE)]),
    ("386725007", "Body temperature (observable entity)", ["Body temperature", "Temperature"],
     [(IS_A, OBSERVABLE)]),
    ("431314004", "Peripheral oxygen saturation (observable entity)",
     ["Peripheral oxygen saturation", "SpO2"], [(IS_A, OBSERVABLE)]),
    ("60621009", "Body mass index (observable entity)", ["Body mass index", "BMI"],
     [(IS_A, OBSERVABLE)]),
    ("46973005", "Blood pressure taking (procedure)", ["Blood pressure taking"],
     [(IS_A, PROCEDURE)]),
    ("29303009", "Electrocardiographic procedure (procedure)", ["Electrocardiographic procedure",
     "ECG"], [(IS_A, PROCEDURE)]),
    ("399208008", "Plain chest X-ray (procedure)", ["Plain chest X-ray", "Chest X-ray"],
     [(IS_A, PROCEDURE)]),
    ("182836005", "Review of medication (procedure)", ["Review of medication",
     "Medication review"], [(IS_A, PROCEDURE)]),
    ("86198006", "Administration of vaccine product containing only Influenza virus antigen "
     "(procedure)", ["Influenza vaccination", "Flu vaccination"], [(IS_A, PROCEDURE)]),
    ("73761001", "Colonoscopy (procedure)", ["Colonoscopy"], [(IS_A, PROCEDURE)]),
    # Substances: a simplified hierarchy (drug classes one level under "Drug or medicament")
    (DRUG, "Drug or medicament (substance)", ["Drug or medicament"], [(IS_A, SUBSTANCE)]),
    (FOOD, "Food (substance)", ["Food"], [(IS_A, SUBSTANCE)]),
    (PENICILLIN, "Penicillin -class of antibiotic- (substance)",
     ["Penicillin -class of antibiotic-", "Penicillin", "Penicillins"], [(IS_A, DRUG)]),
    ("372687004", "Amoxicillin (substance)", ["Amoxicillin", "Amoxycillin"],
     [(IS_A, PENICILLIN)]),
    (NSAID, "Non-steroidal anti-inflammatory agent (substance)",
     ["Non-steroidal anti-inflammatory agent", "NSAID"], [(IS_A, DRUG)]),
    ("387207008", "Ibuprofen (substance)", ["Ibuprofen"], [(IS_A, NSAID)]),
    ("387458008", "Aspirin (substance)", ["Aspirin", "Acetylsalicylic acid"], [(IS_A, NSAID)]),
    ("387517004", "Paracetamol (substance)", ["Paracetamol", "Acetaminophen"], [(IS_A, DRUG)]),
    ("386864001", "Amlodipine (substance)", ["Amlodipine"], [(IS_A, DRUG)]),
    ("372567009", "Metformin (substance)", ["Metformin"], [(IS_A, DRUG)]),
    ("372897005", "Salbutamol (substance)", ["Salbutamol", "Albuterol"], [(IS_A, DRUG)]),
    ("372594008", "Sertraline (substance)", ["Sertraline"], [(IS_A, DRUG)]),
    ("387494007", "Codeine (substance)", ["Codeine"], [(IS_A, DRUG)]),
    ("372694001", "Erythromycin (substance)", ["Erythromycin"], [(IS_A, DRUG)]),
    ("762952008", "Peanut (substance)", ["Peanut", "Groundnut"], [(IS_A, FOOD)]),
    ("111088007", "Latex (substance)", ["Latex"], [(IS_A, SUBSTANCE)]),
    # Medicinal products (what a medication entry is coded with), each naming its ingredient
    (MEDICINAL, "Medicinal product (product)", ["Medicinal product"], [(IS_A, PRODUCT)]),
    ("27658006", "Product containing amoxicillin (medicinal product)",
     ["Product containing amoxicillin", "Amoxicillin product"],
     [(IS_A, MEDICINAL), (ACTIVE_INGREDIENT, "372687004")]),
    ("7947003", "Product containing aspirin (medicinal product)",
     ["Product containing aspirin", "Aspirin product"],
     [(IS_A, MEDICINAL), (ACTIVE_INGREDIENT, "387458008")]),
    ("90332006", "Product containing paracetamol (medicinal product)",
     ["Product containing paracetamol", "Paracetamol product"],
     [(IS_A, MEDICINAL), (ACTIVE_INGREDIENT, "387517004")]),
    ("38268001", "Product containing ibuprofen (medicinal product)",
     ["Product containing ibuprofen", "Ibuprofen product"],
     [(IS_A, MEDICINAL), (ACTIVE_INGREDIENT, "387207008")]),
]


def _id(item: int, partition: str) -> str:
    digits = f"{item}{partition}"
    return digits + str(verhoeff.calc_check_digit(digits))


def main() -> None:
    for concept_id, *_ in CONCEPTS:
        assert verhoeff.is_valid(concept_id), concept_id
    OUT.mkdir(parents=True, exist_ok=True)
    concept_lines = ["id\teffectiveTime\tactive\tmoduleId\tdefinitionStatusId"]
    desc_lines = ["id\teffectiveTime\tactive\tmoduleId\tconceptId\tlanguageCode\ttypeId\tterm"
                  "\tcaseSignificanceId"]
    rel_lines = ["id\teffectiveTime\tactive\tmoduleId\tsourceId\tdestinationId"
                 "\trelationshipGroup\ttypeId\tcharacteristicTypeId\tmodifierId"]
    lang_lines = ["id\teffectiveTime\tactive\tmoduleId\trefsetId\treferencedComponentId"
                  "\tacceptabilityId"]
    item = 9100000
    for concept_id, fsn, synonyms, relationships in CONCEPTS:
        concept_lines.append(f"{concept_id}\t{RELEASE}\t1\t{CORE}\t{PRIMITIVE}")
        for index, (type_id, term) in enumerate([(FSN, fsn)] + [(SYNONYM, s) for s in synonyms]):
            item += 1
            desc_id = _id(item, "01")
            desc_lines.append(
                f"{desc_id}\t{RELEASE}\t1\t{CORE}\t{concept_id}\ten\t{type_id}\t{term}"
                f"\t{INSENSITIVE}"
            )
            acceptability = PREFERRED if index in (0, 1) else ACCEPTABLE
            member = uuid.uuid5(uuid.NAMESPACE_OID, f"dovetail-subset-{desc_id}")
            lang_lines.append(f"{member}\t{RELEASE}\t1\t{CORE}\t{GB}\t{desc_id}\t{acceptability}")
        for type_id, destination in relationships:
            item += 1
            rel_lines.append(
                f"{_id(item, '02')}\t{RELEASE}\t1\t{CORE}\t{concept_id}\t{destination}\t0"
                f"\t{type_id}\t900000000000011006\t900000000000451002"
            )
    files = {
        f"sct2_Concept_Snapshot_DOVETAIL_{RELEASE}.txt": concept_lines,
        f"sct2_Description_Snapshot-en_DOVETAIL_{RELEASE}.txt": desc_lines,
        f"sct2_Relationship_Snapshot_DOVETAIL_{RELEASE}.txt": rel_lines,
        f"der2_cRefset_LanguageSnapshot-en_DOVETAIL_{RELEASE}.txt": lang_lines,
    }
    for name, lines in files.items():
        (OUT / name).write_text("\r\n".join(lines) + "\r\n", encoding="utf-8", newline="")
    print(f"Wrote {len(CONCEPTS)} concepts to {OUT}")


if __name__ == "__main__":
    main()
