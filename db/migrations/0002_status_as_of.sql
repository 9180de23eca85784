DROP INDEX `learning_events_type_idx`;--> statement-breakpoint
CREATE INDEX `learning_events_type_idx` ON `learning_events` (`tenant_id`,`type`,`user_id`,`subject`,`effective_at`);--> statement-breakpoint
ALTER TABLE `course_completions` ADD `how` text DEFAULT 'online' NOT NULL;--> statement-breakpoint
ALTER TABLE `lesson_progress` ADD `completed_recorded_at` integer;--> statement-breakpoint
CREATE INDEX `lesson_progress_asof_idx` ON `lesson_progress` (`tenant_id`,`user_id`,`course_id`,`started_at`,`completed_at`,`completed_recorded_at`);