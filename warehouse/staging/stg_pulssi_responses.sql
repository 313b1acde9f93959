-- One row per Pulssi response: renamed and cast only.
CREATE OR REPLACE VIEW stg_pulssi_responses AS
SELECT kuukausi AS month, vastaus_id AS response_id, asema_id AS station_id, rooli AS role, kommentti AS comment
FROM raw_pulssi;
