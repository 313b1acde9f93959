-- Grain: month × unit (all roles) × comment; only units with at least `comment_min_respondents` responses.
-- Comments carry no role, person or time finer than the month; the order is by text, not by response.
CREATE OR REPLACE TABLE mart_pulssi_comments AS
WITH responses AS (
    SELECT p.month, p.station_id, coalesce(st.municipality, '(tuntematon)') AS municipality, p.comment
    FROM stg_pulssi_responses AS p
    LEFT JOIN stg_stations AS st ON st.station_id = p.station_id
),
units AS (
    SELECT month, municipality, station_id, count(*) AS responses
    FROM responses
    GROUP BY GROUPING SETS ((month), (month, municipality), (month, municipality, station_id))
)
SELECT u.month, u.municipality, u.station_id, u.responses, r.comment
FROM units AS u
JOIN responses AS r
    ON r.month = u.month
    AND (u.municipality IS NULL OR r.municipality = u.municipality)
    AND (u.station_id IS NULL OR r.station_id = u.station_id)
CROSS JOIN ref_settings AS s
WHERE u.responses >= s.comment_min_respondents AND r.comment IS NOT NULL AND trim(r.comment) <> ''
ORDER BY u.month, u.municipality NULLS FIRST, u.station_id NULLS FIRST, r.comment;
