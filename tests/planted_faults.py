"""Faults planted one at a time in a copy of the intended design (the ``fixed`` seed).

The design list: each kind is the SQL that turns the intended design into that
fault. ``test_planted_faults.py`` holds what the review must say about each one
and fails when a kind here has no expectation there. Some kinds are not faults
at all (the same design written another way): the review must still say GO.
"""

FAULTS: dict[str, str] = {
    # -- foreign keys
    "fk_missing_critical": "ALTER TABLE master_roles DROP CONSTRAINT master_roles_config_version_id_fkey",
    "fk_cascade_on_critical": """
        ALTER TABLE workflow_instances DROP CONSTRAINT workflow_instances_config_version_id_fkey;
        ALTER TABLE workflow_instances ADD CONSTRAINT workflow_instances_config_version_id_fkey
              FOREIGN KEY (config_version_id) REFERENCES config_versions (id) ON DELETE CASCADE ON UPDATE CASCADE""",
    "fk_set_null_on_critical": """
        ALTER TABLE master_holidays DROP CONSTRAINT master_holidays_config_version_id_fkey;
        ALTER TABLE master_holidays ADD CONSTRAINT master_holidays_config_version_id_fkey
              FOREIGN KEY (config_version_id) REFERENCES config_versions (id) ON DELETE SET NULL""",
    "fk_cascade_not_critical": """
        ALTER TABLE master_positions DROP CONSTRAINT master_positions_department_id_fkey;
        ALTER TABLE master_positions ADD CONSTRAINT master_positions_department_id_fkey
              FOREIGN KEY (department_id) REFERENCES master_departments (id) ON DELETE CASCADE""",
    "fk_wrong_target": """
        CREATE TABLE config_versions_archive AS SELECT * FROM config_versions;
        ALTER TABLE config_versions_archive ADD PRIMARY KEY (id);
        ALTER TABLE workflow_instances DROP CONSTRAINT workflow_instances_config_version_id_fkey;
        ALTER TABLE workflow_instances ADD CONSTRAINT workflow_instances_config_version_id_fkey
              FOREIGN KEY (config_version_id) REFERENCES config_versions_archive (id)""",
    "fk_deferrable": """
        ALTER TABLE master_roles DROP CONSTRAINT master_roles_workspace_id_fkey;
        ALTER TABLE master_roles ADD CONSTRAINT master_roles_workspace_id_fkey
              FOREIGN KEY (workspace_id) REFERENCES workspaces (id) DEFERRABLE INITIALLY DEFERRED""",
    "fk_match_full": """
        ALTER TABLE master_roles DROP CONSTRAINT master_roles_workspace_id_fkey;
        ALTER TABLE master_roles ADD CONSTRAINT master_roles_workspace_id_fkey
              FOREIGN KEY (workspace_id) REFERENCES workspaces (id) MATCH FULL""",
    "fk_not_valid_critical": """
        ALTER TABLE master_roles DROP CONSTRAINT master_roles_config_version_id_fkey;
        ALTER TABLE master_roles ADD CONSTRAINT master_roles_config_version_id_fkey
              FOREIGN KEY (config_version_id) REFERENCES config_versions (id) ON DELETE RESTRICT NOT VALID;
        ALTER TABLE master_holidays DROP CONSTRAINT master_holidays_config_version_id_fkey;
        ALTER TABLE master_holidays ADD CONSTRAINT master_holidays_config_version_id_fkey
              FOREIGN KEY (config_version_id) REFERENCES config_versions (id) ON DELETE RESTRICT NOT VALID;
        ALTER TABLE master_roles DROP CONSTRAINT master_roles_workspace_id_fkey;
        ALTER TABLE master_roles ADD CONSTRAINT master_roles_workspace_id_fkey
              FOREIGN KEY (workspace_id) REFERENCES workspaces (id) NOT VALID""",
    "fk_composite_with_the_workspace": """
        ALTER TABLE config_versions ADD CONSTRAINT config_versions_workspace_id_id_key UNIQUE (workspace_id, id);
        ALTER TABLE master_roles DROP CONSTRAINT master_roles_config_version_id_fkey;
        ALTER TABLE master_roles ADD CONSTRAINT master_roles_config_version_fkey FOREIGN KEY (workspace_id, config_version_id)
              REFERENCES config_versions (workspace_id, id) ON DELETE RESTRICT""",
    "fk_composite_that_cascades": """
        ALTER TABLE config_versions ADD CONSTRAINT config_versions_workspace_id_id_key UNIQUE (workspace_id, id);
        ALTER TABLE master_roles DROP CONSTRAINT master_roles_config_version_id_fkey;
        ALTER TABLE master_roles ADD CONSTRAINT master_roles_config_version_fkey FOREIGN KEY (workspace_id, config_version_id)
              REFERENCES config_versions (workspace_id, id) ON DELETE CASCADE""",
    "fk_set_null_on_update_critical": """
        ALTER TABLE master_roles DROP CONSTRAINT master_roles_config_version_id_fkey;
        ALTER TABLE master_roles ADD CONSTRAINT master_roles_config_version_id_fkey
              FOREIGN KEY (config_version_id) REFERENCES config_versions (id) ON UPDATE SET NULL""",
    "fk_no_action_instead_of_restrict": """
        ALTER TABLE master_roles DROP CONSTRAINT master_roles_config_version_id_fkey;
        ALTER TABLE master_roles ADD CONSTRAINT master_roles_config_version_id_fkey
              FOREIGN KEY (config_version_id) REFERENCES config_versions (id)""",
    # -- CHECK constraints
    "check_missing": "ALTER TABLE master_holidays DROP CONSTRAINT master_holidays_holiday_date_check",
    "check_not_valid": """
        ALTER TABLE master_holidays DROP CONSTRAINT master_holidays_holiday_date_check;
        ALTER TABLE master_holidays ADD CONSTRAINT master_holidays_holiday_date_check
              CHECK (holiday_date >= DATE '2000-01-01') NOT VALID""",
    "check_other_bound": """
        ALTER TABLE master_priorities DROP CONSTRAINT master_priorities_rank_check;
        ALTER TABLE master_priorities ADD CONSTRAINT master_priorities_rank_check CHECK (rank BETWEEN 1 AND 9)""",
    "check_regrouped": """
        ALTER TABLE workflow_instances DROP CONSTRAINT workflow_instances_completed_at_check;
        ALTER TABLE workflow_instances ADD CONSTRAINT workflow_instances_completed_at_check
              CHECK ((completed_at IS NULL OR completed_at >= created_at) AND status = 'COMPLETED')""",
    "check_negated_wrongly": """
        ALTER TABLE config_versions DROP CONSTRAINT config_versions_activated_at_check;
        ALTER TABLE config_versions ADD CONSTRAINT config_versions_activated_at_check
              CHECK (NOT status = 'ACTIVE' AND activated_at IS NOT NULL)""",
    "check_under_another_name": """
        ALTER TABLE master_positions DROP CONSTRAINT master_positions_grade_check;
        ALTER TABLE master_positions ADD CONSTRAINT grade_range CHECK (grade BETWEEN 1 AND 21)""",
    "check_spelled_otherwise": """
        ALTER TABLE master_positions DROP CONSTRAINT master_positions_grade_check;
        ALTER TABLE master_positions ADD CONSTRAINT master_positions_grade_check CHECK (grade <= 20 AND grade >= 1);
        ALTER TABLE config_versions DROP CONSTRAINT config_versions_status_check;
        ALTER TABLE config_versions ADD CONSTRAINT config_versions_status_check
              CHECK (status = ANY (ARRAY['ARCHIVED'::text, 'DRAFT'::text, 'ACTIVE'::text]))""",
    "check_extra": "ALTER TABLE master_roles ADD CONSTRAINT master_roles_name_check CHECK (name <> '')",
    # -- the partial unique index
    "index_missing": "DROP INDEX config_versions_one_active_per_workspace",
    "index_not_unique": """
        DROP INDEX config_versions_one_active_per_workspace;
        CREATE INDEX config_versions_one_active_per_workspace ON config_versions (workspace_id) WHERE status = 'ACTIVE'""",
    "index_invalid": """
        UPDATE pg_index SET indisvalid = false
         WHERE indexrelid = 'config_versions_one_active_per_workspace'::regclass""",
    "index_wrong_predicate": """
        DROP INDEX config_versions_one_active_per_workspace;
        CREATE UNIQUE INDEX config_versions_one_active_per_workspace ON config_versions (workspace_id) WHERE status = 'DRAFT'""",
    "index_wrong_columns": """
        DROP INDEX config_versions_one_active_per_workspace;
        CREATE UNIQUE INDEX config_versions_one_active_per_workspace ON config_versions (workspace_id, version)
         WHERE status = 'ACTIVE'""",
    "index_not_partial": """
        DROP INDEX config_versions_one_active_per_workspace;
        CREATE UNIQUE INDEX config_versions_one_active_per_workspace ON config_versions (workspace_id, status, version)""",
    "index_renamed": "ALTER INDEX config_versions_one_active_per_workspace RENAME TO one_active_version",
    "index_predicate_spelled_otherwise": """
        DROP INDEX config_versions_one_active_per_workspace;
        CREATE UNIQUE INDEX config_versions_one_active_per_workspace ON config_versions (workspace_id)
         WHERE 'ACTIVE'::text = status""",
    # -- tables and types
    "table_without_primary_key": "ALTER TABLE master_holidays DROP CONSTRAINT master_holidays_pkey",
}
