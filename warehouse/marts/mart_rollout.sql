-- Grain: station. Key: station_id. A view, so that the status follows today's date.
-- Every station ever listed stays (history joins to it for names); a closed one has status 'lakkautettu' from its
-- closing date on, and current views leave it out.
CREATE OR REPLACE VIEW mart_rollout AS
WITH q AS (
    SELECT
        station_id,
        count(*) FILTER (WHERE status = 'avoin') AS open_questions,
        count(*) FILTER (WHERE status = 'ratkaistu') AS resolved_questions,
        median(date_diff('day', opened, resolved)) FILTER (WHERE status = 'ratkaistu') AS median_days_to_resolve
    FROM stg_question_log
    WHERE station_id IS NOT NULL
    GROUP BY station_id
)
SELECT
    s.station_id,
    s.name_fi,
    s.name_sv,
    s.municipality,
    s.wave,
    s.planned_go_live,
    s.go_live,
    CASE
        WHEN s.closed_on IS NOT NULL AND s.closed_on <= current_date THEN 'lakkautettu'
        WHEN s.go_live IS NOT NULL AND s.go_live <= current_date THEN 'käytössä'
        WHEN s.planned_go_live IS NOT NULL AND s.planned_go_live < current_date THEN 'viivästynyt'
        WHEN s.planned_go_live IS NOT NULL OR s.go_live IS NOT NULL THEN 'suunniteltu'
        ELSE 'ei aloitettu'
    END AS status,
    coalesce(q.open_questions, 0) AS open_questions,
    coalesce(q.resolved_questions, 0) AS resolved_questions,
    q.median_days_to_resolve,
    s.closed_on
FROM stg_stations AS s
LEFT JOIN q ON q.station_id = s.station_id;
