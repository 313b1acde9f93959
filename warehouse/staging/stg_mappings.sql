-- One row per mapping date × station × task × performing role: renamed and cast only.
CREATE OR REPLACE VIEW stg_mappings AS
SELECT kartoituspvm AS mapping_date, asema_id AS station_id, tehtava_id AS task_id, suorittaja AS performer_role,
       tunnit_viikossa AS hours_week
FROM raw_kartoitus;
