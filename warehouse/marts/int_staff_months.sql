-- Grain: month × person × station (one staffing row) with role group, FTE and working days.
-- Key: (month, person_key, station_id). Intermediate model for the workload and sick-leave marts.
-- Built per month. (Rows of a month depend only on that month's inputs; see warehouse/build.py.)
CREATE OR REPLACE TABLE int_staff_months AS
SELECT
    s.month,
    s.person_key,
    s.station_id,
    coalesce(st.municipality, '(tuntematon)') AS municipality,
    s.role,
    r.role_group,
    s.fte_percent / 100.0 AS fte,
    s.sick_days,
    s.other_absence_days,
    wd.working_days,
    (s.sick_days + s.other_absence_days)::DOUBLE / nullif(wd.working_days, 0) AS absence_share
FROM stg_staffing AS s
JOIN ref_roles AS r ON r.role_code = s.role
LEFT JOIN ref_working_days AS wd ON wd.month = s.month
LEFT JOIN stg_stations AS st ON st.station_id = s.station_id
WHERE s.month IN (SELECT month FROM build_months);
