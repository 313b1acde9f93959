-- One definition of each workload and compliance figure (data contract, "Definitions of the figures"), as
-- DuckDB macros. The build creates them before the marts; the marts' SQL and the what-if projection
-- (dashboard/scenarios/projection.py, which runs this same file on scenario-modified inputs) both call them,
-- so a figure can never be defined twice.

-- Capacity (h/week) of a station-month: net FTE of secretary roles × weekly hours of one FTE.
CREATE OR REPLACE MACRO f_capacity_hours(secretary_net_fte, weekly_hours) AS secretary_net_fte * weekly_hours;

-- Load ratio: required hours / capacity; empty where capacity is 0 (or where there is no mapping round, i.e. the
-- required hours are NULL).
CREATE OR REPLACE MACRO f_load_ratio(required_hours, capacity_hours) AS
    CASE WHEN capacity_hours > 0 THEN required_hours / capacity_hours END;

-- A mapped task counts towards required hours when its agreed owner is a secretary role, whoever performs it.
CREATE OR REPLACE MACRO f_is_required(owner_role_group) AS owner_role_group = 'sihteerit';

-- Compliant hours: the performing role is the owner role (the same code: an assistant doing a secretary's task
-- is not compliant).
CREATE OR REPLACE MACRO f_is_compliant(performer_role, owner_role) AS performer_role = owner_role;

-- Clinician admin hours: a secretary-owned task performed by a clinical role.
CREATE OR REPLACE MACRO f_is_clinician_admin(owner_role_group, performer_role_group) AS
    owner_role_group = 'sihteerit' AND performer_role_group = 'kliiniset';

-- Compliance share: compliant hours / all mapped hours (empty without hours).
CREATE OR REPLACE MACRO f_compliance_share(compliant_hours, total_hours) AS compliant_hours / nullif(total_hours, 0);

-- Spread across stations (aggregates over station load ratios): coefficient of variation (population standard
-- deviation / mean; ordered by value, so that the float result does not depend on the order the rows come in) and
-- the share of stations with a ratio above the threshold (ref_settings.overload_ratio, from config/asetukset.toml).
CREATE OR REPLACE MACRO f_load_ratio_cv(load_ratio) AS
    stddev_pop(load_ratio ORDER BY load_ratio) / nullif(avg(load_ratio ORDER BY load_ratio), 0);
CREATE OR REPLACE MACRO f_overload_share(load_ratio, threshold) AS
    avg(CASE WHEN load_ratio > threshold THEN 1.0 ELSE 0.0 END) FILTER (WHERE load_ratio IS NOT NULL);
