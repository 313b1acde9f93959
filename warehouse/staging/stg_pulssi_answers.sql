-- One row per answered question of a response: renamed and cast only.
CREATE OR REPLACE VIEW stg_pulssi_answers AS
SELECT kuukausi AS month, vastaus_id AS response_id, kysymys_id AS question_id, arvo AS answer
FROM raw_pulssi_vastaukset;
