-- Grain: station × mapping round × task × performing role. Key: (station_id, mapping_date, task_id, performer_role).
-- Which role does each task, against the owner of the agreed division of labour.
CREATE OR REPLACE TABLE mart_compliance_tasks AS
SELECT
    m.station_id,
    m.mapping_date,
    m.task_id,
    t.task_name,
    t.task_group,
    t.owner_role,
    ro.role_group AS owner_role_group,
    m.performer_role,
    rp.role_group AS performer_role_group,
    m.hours_week,
    m.performer_role = t.owner_role AS compliant
FROM stg_mappings AS m
JOIN stg_tasks AS t ON t.task_id = m.task_id
JOIN ref_roles AS ro ON ro.role_code = t.owner_role
JOIN ref_roles AS rp ON rp.role_code = m.performer_role;
