-- One row per question raised during the rollout: renamed and cast only.
CREATE OR REPLACE VIEW stg_question_log AS
SELECT row_number() OVER (ORDER BY avattu, aihe) AS question_no, avattu AS opened, asema_id AS station_id,
       aihe AS topic, tila AS status, ratkaistu AS resolved
FROM raw_kysymysloki;
