-- Grain: station × mapping round × task group (NULL = all groups). Key: (station_id, mapping_date, task_group).
-- Figures by the shared definitions of warehouse/definitions.sql.
CREATE OR REPLACE TABLE mart_compliance AS
SELECT
    m.station_id,
    m.mapping_date,
    t.task_group,
    sum(m.hours)::DOUBLE AS total_hours_week,
    coalesce(sum(m.hours) FILTER (WHERE f_is_compliant(m.performer_role, t.owner_role)), 0)::DOUBLE
        AS compliant_hours_week,
    f_compliance_share(
        coalesce(sum(m.hours) FILTER (WHERE f_is_compliant(m.performer_role, t.owner_role)), 0)::DOUBLE,
        sum(m.hours)::DOUBLE
    ) AS compliance_share,
    coalesce(sum(m.hours) FILTER (WHERE f_is_clinician_admin(ro.role_group, rp.role_group)), 0)::DOUBLE
        AS clinician_admin_hours_week,
    coalesce(sum(m.hours) FILTER (WHERE f_is_required(ro.role_group)), 0)::DOUBLE AS secretary_task_hours_week
-- Hours are summed as exact decimals: a parallel float sum depends on the row order, and the same files must give
-- the same values.
FROM (SELECT *, hours_week::DECIMAL(18, 10) AS hours FROM stg_mappings) AS m
JOIN stg_tasks AS t ON t.task_id = m.task_id
JOIN ref_roles AS ro ON ro.role_code = t.owner_role
JOIN ref_roles AS rp ON rp.role_code = m.performer_role
GROUP BY GROUPING SETS ((m.station_id, m.mapping_date, t.task_group), (m.station_id, m.mapping_date));
