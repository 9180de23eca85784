CREATE TABLE `audit_checkpoints` (
	`chain` text NOT NULL,
	`chain_seq` integer NOT NULL,
	`hash` text NOT NULL,
	`at` integer NOT NULL,
	`key_id` text NOT NULL,
	`public_key` text NOT NULL,
	`signature` text NOT NULL,
	PRIMARY KEY(`chain`, `chain_seq`)
);
--> statement-breakpoint
CREATE TABLE `audit_personal` (
	`seq` integer PRIMARY KEY NOT NULL,
	`chain` text NOT NULL,
	`person_id` text,
	`salt` text NOT NULL,
	`data` text,
	`erased_by` integer,
	FOREIGN KEY (`seq`) REFERENCES `audit_events`(`seq`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `audit_personal_person_idx` ON `audit_personal` (`chain`,`person_id`);--> statement-breakpoint
CREATE TABLE `cohort_multipliers` (
	`cohort_id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`user_id` text NOT NULL,
	PRIMARY KEY(`cohort_id`, `user_id`),
	FOREIGN KEY (`cohort_id`) REFERENCES `cohorts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `cohort_multipliers_user_idx` ON `cohort_multipliers` (`tenant_id`,`user_id`);--> statement-breakpoint
CREATE TABLE `cohorts` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`name` text NOT NULL,
	`created_at` integer NOT NULL,
	`ended_at` integer,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `cohorts_tenant_idx` ON `cohorts` (`tenant_id`);--> statement-breakpoint
CREATE TABLE `content_versions` (
	`kind` text NOT NULL,
	`content_id` text NOT NULL,
	`version` text NOT NULL,
	`title` text NOT NULL,
	`data` text NOT NULL,
	`archived` integer NOT NULL,
	`first_served_at` integer NOT NULL,
	PRIMARY KEY(`kind`, `content_id`, `version`)
);
--> statement-breakpoint
CREATE INDEX `content_versions_served_idx` ON `content_versions` (`kind`,`content_id`,`first_served_at`);--> statement-breakpoint
CREATE TABLE `learning_events` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`tenant_id` text NOT NULL,
	`user_id` text,
	`org_unit_id` text,
	`type` text NOT NULL,
	`subject` text,
	`ref` text,
	`version` text,
	`how` text,
	`data` text NOT NULL,
	`effective_at` integer NOT NULL,
	`recorded_at` integer NOT NULL,
	`actor_id` text,
	`idem_key` text,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `learning_events_idem_idx` ON `learning_events` (`tenant_id`,`idem_key`);--> statement-breakpoint
CREATE INDEX `learning_events_person_idx` ON `learning_events` (`tenant_id`,`user_id`,`effective_at`);--> statement-breakpoint
CREATE INDEX `learning_events_type_idx` ON `learning_events` (`tenant_id`,`type`,`effective_at`);--> statement-breakpoint
ALTER TABLE `audit_events` ADD `format` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `audit_events` ADD `chain` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `audit_events` ADD `chain_seq` integer;--> statement-breakpoint
ALTER TABLE `audit_events` ADD `personal_hash` text;--> statement-breakpoint
CREATE UNIQUE INDEX `audit_events_chain_seq_idx` ON `audit_events` (`chain`,`chain_seq`);--> statement-breakpoint
ALTER TABLE `quiz_responses` ADD `tenant_id` text;--> statement-breakpoint
ALTER TABLE `tenants` ADD `record_started_at` integer;--> statement-breakpoint
ALTER TABLE `user_roles` ADD `tenant_id` text;--> statement-breakpoint
ALTER TABLE `user_roles` ADD `scope_org_unit_id` text;--> statement-breakpoint
UPDATE `audit_events` SET `chain` = ifnull(`tenant_id`, '');
--> statement-breakpoint
UPDATE `audit_events` SET `chain_seq` = r.n FROM (SELECT `seq` AS s, row_number() OVER (PARTITION BY ifnull(`tenant_id`, '') ORDER BY `seq`) AS n FROM `audit_events`) AS r WHERE r.s = `audit_events`.`seq`;
--> statement-breakpoint
UPDATE `quiz_responses` SET `tenant_id` = (SELECT `tenant_id` FROM `quiz_attempts` WHERE `quiz_attempts`.`id` = `quiz_responses`.`attempt_id`);
--> statement-breakpoint
UPDATE `user_roles` SET `tenant_id` = (SELECT `tenant_id` FROM `users` WHERE `users`.`id` = `user_roles`.`user_id`);
--> statement-breakpoint
CREATE TRIGGER `learning_events_no_update` BEFORE UPDATE ON `learning_events` BEGIN SELECT RAISE(ABORT, 'learning_events is append-only'); END;
--> statement-breakpoint
CREATE TRIGGER `learning_events_no_delete` BEFORE DELETE ON `learning_events` BEGIN SELECT RAISE(ABORT, 'learning_events is append-only'); END;
--> statement-breakpoint
CREATE TRIGGER `audit_events_no_delete` BEFORE DELETE ON `audit_events` BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
--> statement-breakpoint
CREATE TRIGGER `audit_events_no_update` BEFORE UPDATE ON `audit_events` BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
--> statement-breakpoint
CREATE TRIGGER `audit_personal_no_delete` BEFORE DELETE ON `audit_personal` BEGIN SELECT RAISE(ABORT, 'audit_personal is cleared by erasure, never deleted'); END;
--> statement-breakpoint
CREATE TRIGGER `audit_personal_erase_only` BEFORE UPDATE ON `audit_personal` WHEN NEW.`data` IS NOT NULL OR NEW.`erased_by` IS NULL OR NEW.`salt` IS NOT OLD.`salt` OR NEW.`seq` IS NOT OLD.`seq` OR NEW.`chain` IS NOT OLD.`chain` OR NEW.`person_id` IS NOT OLD.`person_id` BEGIN SELECT RAISE(ABORT, 'audit_personal can only be erased'); END;
--> statement-breakpoint
CREATE TRIGGER `audit_checkpoints_no_update` BEFORE UPDATE ON `audit_checkpoints` BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END;
--> statement-breakpoint
CREATE TRIGGER `audit_checkpoints_no_delete` BEFORE DELETE ON `audit_checkpoints` BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END;
--> statement-breakpoint
CREATE TRIGGER `learning_events_tenant_ins` BEFORE INSERT ON `learning_events` WHEN (NEW.`user_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `users` WHERE `users`.`id` = NEW.`user_id` AND `users`.`tenant_id` IS NEW.`tenant_id`)) OR (NEW.`org_unit_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `org_units` WHERE `org_units`.`id` = NEW.`org_unit_id` AND `org_units`.`tenant_id` IS NEW.`tenant_id`)) BEGIN SELECT RAISE(ABORT, 'tenant mismatch: learning_events references a row of another district'); END;
--> statement-breakpoint
CREATE TRIGGER `users_tenant_ins` BEFORE INSERT ON `users` WHEN (NEW.`org_unit_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `org_units` WHERE `org_units`.`id` = NEW.`org_unit_id` AND `org_units`.`tenant_id` IS NEW.`tenant_id`)) BEGIN SELECT RAISE(ABORT, 'tenant mismatch: users references a row of another district'); END;
--> statement-breakpoint
CREATE TRIGGER `users_tenant_upd` BEFORE UPDATE OF `tenant_id`, `org_unit_id` ON `users` WHEN (NEW.`org_unit_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `org_units` WHERE `org_units`.`id` = NEW.`org_unit_id` AND `org_units`.`tenant_id` IS NEW.`tenant_id`)) BEGIN SELECT RAISE(ABORT, 'tenant mismatch: users references a row of another district'); END;
--> statement-breakpoint
CREATE TRIGGER `org_units_tenant_ins` BEFORE INSERT ON `org_units` WHEN (NEW.`parent_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `org_units` WHERE `org_units`.`id` = NEW.`parent_id` AND `org_units`.`tenant_id` IS NEW.`tenant_id`)) BEGIN SELECT RAISE(ABORT, 'tenant mismatch: org_units references a row of another district'); END;
--> statement-breakpoint
CREATE TRIGGER `org_units_tenant_upd` BEFORE UPDATE OF `tenant_id`, `parent_id` ON `org_units` WHEN (NEW.`parent_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `org_units` WHERE `org_units`.`id` = NEW.`parent_id` AND `org_units`.`tenant_id` IS NEW.`tenant_id`)) BEGIN SELECT RAISE(ABORT, 'tenant mismatch: org_units references a row of another district'); END;
--> statement-breakpoint
CREATE TRIGGER `lesson_progress_tenant_ins` BEFORE INSERT ON `lesson_progress` WHEN (NEW.`user_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `users` WHERE `users`.`id` = NEW.`user_id` AND `users`.`tenant_id` IS NEW.`tenant_id`)) BEGIN SELECT RAISE(ABORT, 'tenant mismatch: lesson_progress references a row of another district'); END;
--> statement-breakpoint
CREATE TRIGGER `lesson_progress_tenant_upd` BEFORE UPDATE OF `tenant_id`, `user_id` ON `lesson_progress` WHEN (NEW.`user_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `users` WHERE `users`.`id` = NEW.`user_id` AND `users`.`tenant_id` IS NEW.`tenant_id`)) BEGIN SELECT RAISE(ABORT, 'tenant mismatch: lesson_progress references a row of another district'); END;
--> statement-breakpoint
CREATE TRIGGER `quiz_attempts_tenant_ins` BEFORE INSERT ON `quiz_attempts` WHEN (NEW.`user_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `users` WHERE `users`.`id` = NEW.`user_id` AND `users`.`tenant_id` IS NEW.`tenant_id`)) BEGIN SELECT RAISE(ABORT, 'tenant mismatch: quiz_attempts references a row of another district'); END;
--> statement-breakpoint
CREATE TRIGGER `quiz_attempts_tenant_upd` BEFORE UPDATE OF `tenant_id`, `user_id` ON `quiz_attempts` WHEN (NEW.`user_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `users` WHERE `users`.`id` = NEW.`user_id` AND `users`.`tenant_id` IS NEW.`tenant_id`)) BEGIN SELECT RAISE(ABORT, 'tenant mismatch: quiz_attempts references a row of another district'); END;
--> statement-breakpoint
CREATE TRIGGER `quiz_responses_tenant_ins` BEFORE INSERT ON `quiz_responses` WHEN NEW.`tenant_id` IS NULL OR (NEW.`attempt_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `quiz_attempts` WHERE `quiz_attempts`.`id` = NEW.`attempt_id` AND `quiz_attempts`.`tenant_id` IS NEW.`tenant_id`)) BEGIN SELECT RAISE(ABORT, 'tenant mismatch: quiz_responses references a row of another district'); END;
--> statement-breakpoint
CREATE TRIGGER `quiz_responses_tenant_upd` BEFORE UPDATE OF `tenant_id`, `attempt_id` ON `quiz_responses` WHEN NEW.`tenant_id` IS NULL OR (NEW.`attempt_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `quiz_attempts` WHERE `quiz_attempts`.`id` = NEW.`attempt_id` AND `quiz_attempts`.`tenant_id` IS NEW.`tenant_id`)) BEGIN SELECT RAISE(ABORT, 'tenant mismatch: quiz_responses references a row of another district'); END;
--> statement-breakpoint
CREATE TRIGGER `course_completions_tenant_ins` BEFORE INSERT ON `course_completions` WHEN (NEW.`user_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `users` WHERE `users`.`id` = NEW.`user_id` AND `users`.`tenant_id` IS NEW.`tenant_id`)) OR (NEW.`quiz_attempt_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `quiz_attempts` WHERE `quiz_attempts`.`id` = NEW.`quiz_attempt_id` AND `quiz_attempts`.`tenant_id` IS NEW.`tenant_id`)) BEGIN SELECT RAISE(ABORT, 'tenant mismatch: course_completions references a row of another district'); END;
--> statement-breakpoint
CREATE TRIGGER `course_completions_tenant_upd` BEFORE UPDATE OF `tenant_id`, `user_id`, `quiz_attempt_id` ON `course_completions` WHEN (NEW.`user_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `users` WHERE `users`.`id` = NEW.`user_id` AND `users`.`tenant_id` IS NEW.`tenant_id`)) OR (NEW.`quiz_attempt_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `quiz_attempts` WHERE `quiz_attempts`.`id` = NEW.`quiz_attempt_id` AND `quiz_attempts`.`tenant_id` IS NEW.`tenant_id`)) BEGIN SELECT RAISE(ABORT, 'tenant mismatch: course_completions references a row of another district'); END;
--> statement-breakpoint
CREATE TRIGGER `path_assignments_tenant_ins` BEFORE INSERT ON `path_assignments` WHEN (NEW.`user_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `users` WHERE `users`.`id` = NEW.`user_id` AND `users`.`tenant_id` IS NEW.`tenant_id`)) OR (NEW.`org_unit_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `org_units` WHERE `org_units`.`id` = NEW.`org_unit_id` AND `org_units`.`tenant_id` IS NEW.`tenant_id`)) BEGIN SELECT RAISE(ABORT, 'tenant mismatch: path_assignments references a row of another district'); END;
--> statement-breakpoint
CREATE TRIGGER `path_assignments_tenant_upd` BEFORE UPDATE OF `tenant_id`, `user_id`, `org_unit_id` ON `path_assignments` WHEN (NEW.`user_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `users` WHERE `users`.`id` = NEW.`user_id` AND `users`.`tenant_id` IS NEW.`tenant_id`)) OR (NEW.`org_unit_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `org_units` WHERE `org_units`.`id` = NEW.`org_unit_id` AND `org_units`.`tenant_id` IS NEW.`tenant_id`)) BEGIN SELECT RAISE(ABORT, 'tenant mismatch: path_assignments references a row of another district'); END;
--> statement-breakpoint
CREATE TRIGGER `certificates_tenant_ins` BEFORE INSERT ON `certificates` WHEN (NEW.`user_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `users` WHERE `users`.`id` = NEW.`user_id` AND `users`.`tenant_id` IS NEW.`tenant_id`)) BEGIN SELECT RAISE(ABORT, 'tenant mismatch: certificates references a row of another district'); END;
--> statement-breakpoint
CREATE TRIGGER `certificates_tenant_upd` BEFORE UPDATE OF `tenant_id`, `user_id` ON `certificates` WHEN (NEW.`user_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `users` WHERE `users`.`id` = NEW.`user_id` AND `users`.`tenant_id` IS NEW.`tenant_id`)) BEGIN SELECT RAISE(ABORT, 'tenant mismatch: certificates references a row of another district'); END;
--> statement-breakpoint
CREATE TRIGGER `user_roles_tenant_ins` BEFORE INSERT ON `user_roles` WHEN NEW.`tenant_id` IS NOT (SELECT `tenant_id` FROM `users` WHERE `users`.`id` = NEW.`user_id`) OR (NEW.`scope_org_unit_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `org_units` WHERE `org_units`.`id` = NEW.`scope_org_unit_id` AND `org_units`.`tenant_id` IS NEW.`tenant_id`)) BEGIN SELECT RAISE(ABORT, 'tenant mismatch: user_roles references a row of another district'); END;
--> statement-breakpoint
CREATE TRIGGER `user_roles_tenant_upd` BEFORE UPDATE OF `tenant_id`, `user_id`, `scope_org_unit_id` ON `user_roles` WHEN NEW.`tenant_id` IS NOT (SELECT `tenant_id` FROM `users` WHERE `users`.`id` = NEW.`user_id`) OR (NEW.`scope_org_unit_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `org_units` WHERE `org_units`.`id` = NEW.`scope_org_unit_id` AND `org_units`.`tenant_id` IS NEW.`tenant_id`)) BEGIN SELECT RAISE(ABORT, 'tenant mismatch: user_roles references a row of another district'); END;
--> statement-breakpoint
CREATE TRIGGER `cohort_multipliers_tenant_ins` BEFORE INSERT ON `cohort_multipliers` WHEN (NEW.`user_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `users` WHERE `users`.`id` = NEW.`user_id` AND `users`.`tenant_id` IS NEW.`tenant_id`)) OR NOT EXISTS (SELECT 1 FROM `cohorts` WHERE `cohorts`.`id` = NEW.`cohort_id` AND `cohorts`.`tenant_id` = NEW.`tenant_id`) BEGIN SELECT RAISE(ABORT, 'tenant mismatch: cohort_multipliers references a row of another district'); END;
--> statement-breakpoint
CREATE TRIGGER `cohort_multipliers_tenant_upd` BEFORE UPDATE OF `tenant_id`, `user_id`, `cohort_id` ON `cohort_multipliers` WHEN (NEW.`user_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `users` WHERE `users`.`id` = NEW.`user_id` AND `users`.`tenant_id` IS NEW.`tenant_id`)) OR NOT EXISTS (SELECT 1 FROM `cohorts` WHERE `cohorts`.`id` = NEW.`cohort_id` AND `cohorts`.`tenant_id` = NEW.`tenant_id`) BEGIN SELECT RAISE(ABORT, 'tenant mismatch: cohort_multipliers references a row of another district'); END;
