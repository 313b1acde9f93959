-- Grain: month × comment pool. Key: (month, municipality, station_id) names the pool a comment is shown in.
-- Every comment is shown in exactly one pool, so no list can be subtracted from another to single out a
-- small unit: its own station when the station has at least `comment_min_respondents` responses; else the
-- pool of its municipality's smaller stations (station_id NULL) when that pool is large enough; else the
-- region's pool of what is left (municipality and station_id NULL) when that is large enough; else nowhere.
-- Comments carry no role, person or time finer than the month; the order is by text, not by response.
-- Built per month. (Rows of a month depend only on that month's inputs; see warehouse/build.py.)
CREATE OR REPLACE TABLE mart_pulssi_comments AS
WITH responses AS (
    SELECT p.month, p.station_id, coalesce(st.municipality, '(tuntematon)') AS municipality, p.comment
    FROM stg_pulssi_responses AS p
    LEFT JOIN stg_stations AS st ON st.station_id = p.station_id
    WHERE p.month IN (SELECT month FROM build_months)
),
station_size AS (
    SELECT month, station_id, count(*) AS responses FROM responses GROUP BY month, station_id
),
placed AS (
    SELECT r.*, s.responses AS station_responses,
           sum(CASE WHEN s.responses < t.comment_min_respondents THEN 1 ELSE 0 END)
               OVER (PARTITION BY r.month, r.municipality) AS municipality_pool,
           t.comment_min_respondents AS threshold
    FROM responses AS r
    JOIN station_size AS s ON s.month = r.month AND s.station_id = r.station_id
    CROSS JOIN ref_settings AS t
),
levels AS (
    SELECT *,
           CASE WHEN station_responses >= threshold THEN 'station'
                WHEN municipality_pool >= threshold THEN 'municipality'
                ELSE 'region' END AS level
    FROM placed
),
region_pool AS (
    SELECT month, count(*) AS responses FROM levels WHERE level = 'region' GROUP BY month
)
SELECT
    l.month,
    CASE WHEN l.level = 'region' THEN NULL ELSE l.municipality END AS municipality,
    CASE WHEN l.level = 'station' THEN l.station_id END AS station_id,
    CASE l.level WHEN 'station' THEN l.station_responses WHEN 'municipality' THEN l.municipality_pool
        ELSE rp.responses END AS responses,
    l.comment
FROM levels AS l
LEFT JOIN region_pool AS rp ON rp.month = l.month
WHERE l.comment IS NOT NULL AND trim(l.comment) <> ''
  AND (l.level <> 'region' OR rp.responses >= l.threshold)
ORDER BY l.month, municipality NULLS FIRST, station_id NULLS FIRST, l.comment;
