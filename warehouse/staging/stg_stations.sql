-- One row per health station: renamed and cast only. A closed station (closed_on) stays: its history joins here.
CREATE OR REPLACE VIEW stg_stations AS
SELECT asema_id AS station_id, nimi AS name_fi, coalesce(nimi_sv, nimi) AS name_sv, kunta AS municipality,
       aalto AS wave, suunniteltu_kayttoonotto AS planned_go_live, kayttoonotto AS go_live, lakkautettu AS closed_on
FROM raw_asemat;
