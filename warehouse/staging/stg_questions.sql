-- One row per question of the Pulssi catalogue: renamed and cast only.
CREATE OR REPLACE VIEW stg_questions AS
SELECT kysymys_id AS question_id, teksti AS text_fi, coalesce(teksti_sv, teksti) AS text_sv, tyyppi AS question_type,
       asteikko_min AS scale_min, asteikko_max AS scale_max, tavoite AS goal_id
FROM raw_kysymykset;
