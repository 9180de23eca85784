CREATE TABLE `training_session_invitations` (
	`session_id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`user_id` text NOT NULL,
	`invited_at` integer NOT NULL,
	`invited_by` text,
	PRIMARY KEY(`session_id`, `user_id`),
	FOREIGN KEY (`session_id`) REFERENCES `training_sessions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `training_session_invitations_user_idx` ON `training_session_invitations` (`tenant_id`,`user_id`);--> statement-breakpoint
CREATE TABLE `training_session_multipliers` (
	`session_id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`user_id` text NOT NULL,
	PRIMARY KEY(`session_id`, `user_id`),
	FOREIGN KEY (`session_id`) REFERENCES `training_sessions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `training_session_multipliers_user_idx` ON `training_session_multipliers` (`tenant_id`,`user_id`);--> statement-breakpoint
CREATE TABLE `training_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`cohort_id` text NOT NULL,
	`kind` text NOT NULL,
	`topic` text NOT NULL,
	`course_id` text,
	`lesson_id` text,
	`starts_at` integer NOT NULL,
	`minutes` integer NOT NULL,
	`place` text,
	`online_url` text,
	`cancelled_at` integer,
	`sequence` integer DEFAULT 0 NOT NULL,
	`created_by` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`cohort_id`) REFERENCES `cohorts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `training_sessions_cohort_idx` ON `training_sessions` (`tenant_id`,`cohort_id`,`starts_at`);--> statement-breakpoint
CREATE INDEX `training_sessions_tenant_idx` ON `training_sessions` (`tenant_id`,`starts_at`);--> statement-breakpoint
ALTER TABLE `mail_messages` ADD `attachments` text;