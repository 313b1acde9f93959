-- One row per task of the catalogue: renamed and cast only.
CREATE OR REPLACE VIEW stg_tasks AS
SELECT tehtava_id AS task_id, tehtava AS task_name, tehtavaryhma AS task_group, vastuurooli AS owner_role,
       automatisoitavissa AS automatable
FROM raw_tehtavat;
