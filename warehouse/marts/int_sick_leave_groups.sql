-- Grain: month × unit (region / municipality / station) × role group (NULL = all roles), before suppression.
-- Key: (month, municipality, station_id, role_group); NULL municipality = region, NULL station = above station.
-- Built per month. (Rows of a month depend only on that month's inputs; see warehouse/build.py.)
CREATE OR REPLACE TABLE int_sick_leave_groups AS
SELECT
    month,
    municipality,
    station_id,
    role_group,
    count(DISTINCT person_key) AS headcount,
    -- Exact decimal sums: a parallel float sum depends on the order, and the same files must give the same values.
    sum(fte::DECIMAL(18, 10))::DOUBLE AS fte,
    sum((fte * sick_days)::DECIMAL(18, 10))::DOUBLE AS fte_sick_days,
    sum((fte * working_days)::DECIMAL(18, 10))::DOUBLE AS fte_working_days,
    sum((fte * sick_days)::DECIMAL(18, 10))::DOUBLE
        / nullif(sum((fte * working_days)::DECIMAL(18, 10))::DOUBLE, 0) AS sick_leave_rate
FROM int_staff_months
WHERE month IN (SELECT month FROM build_months)
GROUP BY GROUPING SETS (
    (month), (month, municipality), (month, municipality, station_id),
    (month, role_group), (month, municipality, role_group), (month, municipality, station_id, role_group)
);
