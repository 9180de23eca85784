CREATE TABLE `audit_events` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`tenant_id` text,
	`at` integer NOT NULL,
	`actor_id` text,
	`type` text NOT NULL,
	`subject_id` text,
	`data` text NOT NULL,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_events_tenant_seq_idx` ON `audit_events` (`tenant_id`,`seq`);--> statement-breakpoint
CREATE TABLE `certificates` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`user_id` text NOT NULL,
	`kind` text NOT NULL,
	`achievement_id` text NOT NULL,
	`payload` text NOT NULL,
	`signature` text NOT NULL,
	`key_id` text NOT NULL,
	`issued_at` integer NOT NULL,
	`expires_at` integer,
	`revoked_at` integer,
	`revoked_reason` text,
	`replaces_id` text,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `certificates_tenant_user_idx` ON `certificates` (`tenant_id`,`user_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `certificates_user_achievement_issued_idx` ON `certificates` (`user_id`,`kind`,`achievement_id`,`issued_at`);--> statement-breakpoint
CREATE TABLE `course_completions` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`user_id` text NOT NULL,
	`course_id` text NOT NULL,
	`course_version` text NOT NULL,
	`quiz_attempt_id` text,
	`completed_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`quiz_attempt_id`) REFERENCES `quiz_attempts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `course_completions_user_course_idx` ON `course_completions` (`tenant_id`,`user_id`,`course_id`,`completed_at`);--> statement-breakpoint
CREATE INDEX `course_completions_tenant_course_idx` ON `course_completions` (`tenant_id`,`course_id`);--> statement-breakpoint
CREATE INDEX `course_completions_user_idx` ON `course_completions` (`user_id`);--> statement-breakpoint
CREATE INDEX `course_completions_attempt_idx` ON `course_completions` (`quiz_attempt_id`);--> statement-breakpoint
CREATE TABLE `lesson_progress` (
	`tenant_id` text NOT NULL,
	`user_id` text NOT NULL,
	`course_id` text NOT NULL,
	`lesson_id` text NOT NULL,
	`lesson_version` text NOT NULL,
	`started_at` integer NOT NULL,
	`completed_at` integer,
	`last_seen_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `course_id`, `lesson_id`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `lesson_progress_tenant_user_idx` ON `lesson_progress` (`tenant_id`,`user_id`,`course_id`);--> statement-breakpoint
CREATE INDEX `lesson_progress_tenant_course_idx` ON `lesson_progress` (`tenant_id`,`course_id`);--> statement-breakpoint
CREATE TABLE `path_assignments` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`user_id` text,
	`org_unit_id` text,
	`path_id` text NOT NULL,
	`due_at` integer,
	`assigned_by` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`org_unit_id`) REFERENCES `org_units`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `path_assignments_user_idx` ON `path_assignments` (`tenant_id`,`user_id`,`org_unit_id`);--> statement-breakpoint
CREATE INDEX `path_assignments_org_idx` ON `path_assignments` (`tenant_id`,`org_unit_id`);--> statement-breakpoint
CREATE TABLE `quiz_attempts` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`user_id` text NOT NULL,
	`quiz_id` text NOT NULL,
	`course_id` text NOT NULL,
	`quiz_version` text NOT NULL,
	`seed` text NOT NULL,
	`layout` text NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`started_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`submitted_at` integer,
	`score` real,
	`max_score` real,
	`passed` integer,
	`duration_ms` integer,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `quiz_attempts_user_quiz_idx` ON `quiz_attempts` (`tenant_id`,`user_id`,`quiz_id`,`started_at`);--> statement-breakpoint
CREATE INDEX `quiz_attempts_tenant_quiz_idx` ON `quiz_attempts` (`tenant_id`,`quiz_id`);--> statement-breakpoint
CREATE INDEX `quiz_attempts_user_idx` ON `quiz_attempts` (`user_id`);--> statement-breakpoint
CREATE TABLE `quiz_responses` (
	`attempt_id` text NOT NULL,
	`item_id` text NOT NULL,
	`response` text NOT NULL,
	`score` real NOT NULL,
	`answered_at` integer NOT NULL,
	PRIMARY KEY(`attempt_id`, `item_id`),
	FOREIGN KEY (`attempt_id`) REFERENCES `quiz_attempts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `rate_limits` (
	`key` text PRIMARY KEY NOT NULL,
	`points` integer NOT NULL,
	`expire` integer
);
--> statement-breakpoint
CREATE TABLE `org_units` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`parent_id` text,
	`code` text NOT NULL,
	`name` text NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`parent_id`) REFERENCES `org_units`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `org_units_tenant_parent_idx` ON `org_units` (`tenant_id`,`parent_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `org_units_tenant_code_idx` ON `org_units` (`tenant_id`,`code`);--> statement-breakpoint
CREATE TABLE `tenants` (
	`id` text PRIMARY KEY NOT NULL,
	`slug` text NOT NULL,
	`name` text NOT NULL,
	`settings` text DEFAULT '{}' NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tenants_slug_unique` ON `tenants` (`slug`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`secret_hash` blob NOT NULL,
	`user_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sessions_user_idx` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE TABLE `user_roles` (
	`user_id` text NOT NULL,
	`role` text NOT NULL,
	PRIMARY KEY(`user_id`, `role`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text,
	`org_unit_id` text,
	`email` text NOT NULL,
	`name` text NOT NULL,
	`job_role` text DEFAULT 'sachbearbeitung' NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`password_hash` text,
	`external_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`org_unit_id`) REFERENCES `org_units`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_unique` ON `users` (`email`);--> statement-breakpoint
CREATE INDEX `users_tenant_org_idx` ON `users` (`tenant_id`,`org_unit_id`);--> statement-breakpoint
CREATE INDEX `users_tenant_job_role_idx` ON `users` (`tenant_id`,`job_role`);