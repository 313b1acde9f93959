-- Raw layer: rows as loaded, in the contract's canonical names and types (henkilo_id only as a keyed hash).
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);

CREATE TABLE IF NOT EXISTS load_log (
    load_id INTEGER,
    loaded_at TIMESTAMP,
    file_name VARCHAR,
    content_hash VARCHAR,
    source VARCHAR,
    "rows" BIGINT,
    outcome VARCHAR,
    message VARCHAR
);

CREATE TABLE IF NOT EXISTS ref_roles (
    role_code VARCHAR PRIMARY KEY, name_fi VARCHAR, name_sv VARCHAR, role_group VARCHAR
);
CREATE TABLE IF NOT EXISTS ref_working_days (month DATE PRIMARY KEY, working_days INTEGER);

CREATE TABLE IF NOT EXISTS raw_asemat (
    asema_id VARCHAR, nimi VARCHAR, nimi_sv VARCHAR, kunta VARCHAR, aalto BIGINT,
    suunniteltu_kayttoonotto DATE, kayttoonotto DATE, load_id INTEGER
);
-- Added in contract revision 3 (station lifecycle); older warehouses get the column here.
ALTER TABLE raw_asemat ADD COLUMN IF NOT EXISTS lakkautettu DATE;
CREATE TABLE IF NOT EXISTS raw_tehtavat (
    tehtava_id VARCHAR, tehtava VARCHAR, tehtavaryhma VARCHAR, vastuurooli VARCHAR,
    automatisoitavissa VARCHAR, load_id INTEGER
);
CREATE TABLE IF NOT EXISTS raw_kartoitus (
    kartoituspvm DATE, asema_id VARCHAR, tehtava_id VARCHAR, suorittaja VARCHAR,
    tunnit_viikossa DOUBLE, load_id INTEGER
);
CREATE TABLE IF NOT EXISTS raw_henkilosto (
    kuukausi DATE, henkilo_id VARCHAR, asema_id VARCHAR, rooli VARCHAR, tyoaikaprosentti DOUBLE,
    palvelussuhde VARCHAR, sairauspoissaolo_pv BIGINT, muu_poissaolo_pv BIGINT, load_id INTEGER
);
CREATE TABLE IF NOT EXISTS raw_pulssi (
    kuukausi DATE, vastaus_id VARCHAR, asema_id VARCHAR, rooli VARCHAR, kommentti VARCHAR, load_id INTEGER
);
CREATE TABLE IF NOT EXISTS raw_pulssi_vastaukset (
    kuukausi DATE, vastaus_id VARCHAR, kysymys_id VARCHAR, arvo BIGINT
);
CREATE TABLE IF NOT EXISTS raw_kysymykset (
    kysymys_id VARCHAR, teksti VARCHAR, teksti_sv VARCHAR, tyyppi VARCHAR, asteikko_min BIGINT,
    asteikko_max BIGINT, tavoite BIGINT, load_id INTEGER
);
CREATE TABLE IF NOT EXISTS raw_kysymysloki (
    avattu DATE, asema_id VARCHAR, aihe VARCHAR, tila VARCHAR, ratkaistu DATE, load_id INTEGER
);
