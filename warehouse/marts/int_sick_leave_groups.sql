-- Grain: month × unit (region / municipality / station) × role group (NULL = all roles), before suppression.
-- Key: (month, municipality, station_id, role_group); NULL municipality = region, NULL station = above station.
-- Headcount is the unit's distinct people. A person has one staffing row per station and month (the contract's
-- key), so a station's rows are its people; above a station, a person who works at two stations counts once, from
-- the distinct people of each municipality and of the region (a count(DISTINCT) inside the six grouping sets took
-- 14 s of a national load, this about 6).
-- Built per month. (Rows of a month depend only on that month's inputs; see warehouse/build.py.)
CREATE OR REPLACE TABLE int_sick_leave_groups AS
WITH staff AS (
    SELECT * FROM int_staff_months WHERE month IN (SELECT month FROM build_months)
),
sums AS (
    SELECT
        month,
        municipality,
        station_id,
        role_group,
        grouping(station_id) = 1 AS above_station,
        count(*) AS station_headcount,
        -- Exact decimal sums: a parallel float sum depends on the order, and the same files must give the same values.
        sum(fte::DECIMAL(18, 10))::DOUBLE AS fte,
        sum((fte * sick_days)::DECIMAL(18, 10))::DOUBLE AS fte_sick_days,
        sum((fte * working_days)::DECIMAL(18, 10))::DOUBLE AS fte_working_days,
        sum((fte * sick_days)::DECIMAL(18, 10))::DOUBLE
            / nullif(sum((fte * working_days)::DECIMAL(18, 10))::DOUBLE, 0) AS sick_leave_rate
    FROM staff
    GROUP BY GROUPING SETS (
        (month), (month, municipality), (month, municipality, station_id),
        (month, role_group), (month, municipality, role_group), (month, municipality, station_id, role_group)
    )
),
people AS (SELECT DISTINCT month, municipality, role_group, person_key FROM staff),
people_all_roles AS (SELECT DISTINCT month, municipality, person_key FROM people),
above AS (
    SELECT month, municipality, role_group, count(*) AS headcount FROM people GROUP BY ALL
    UNION ALL
    SELECT month, municipality, NULL, count(*) FROM people_all_roles GROUP BY ALL
    UNION ALL
    SELECT month, NULL, role_group, count(DISTINCT person_key) FROM people GROUP BY ALL
    UNION ALL
    SELECT month, NULL, NULL, count(DISTINCT person_key) FROM people_all_roles GROUP BY ALL
)
SELECT
    s.month,
    s.municipality,
    s.station_id,
    s.role_group,
    CASE WHEN s.above_station THEN a.headcount ELSE s.station_headcount END AS headcount,
    s.fte,
    s.fte_sick_days,
    s.fte_working_days,
    s.sick_leave_rate
FROM sums AS s
LEFT JOIN above AS a
    ON s.above_station AND a.month = s.month AND a.municipality IS NOT DISTINCT FROM s.municipality
    AND a.role_group IS NOT DISTINCT FROM s.role_group;
