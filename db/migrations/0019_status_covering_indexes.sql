DROP INDEX `course_completions_user_course_idx`;--> statement-breakpoint
CREATE INDEX `course_completions_user_course_idx` ON `course_completions` (`tenant_id`,`user_id`,`course_id`,`completed_at`,`course_version`,`how`);--> statement-breakpoint
DROP INDEX `quiz_attempts_user_quiz_idx`;--> statement-breakpoint
CREATE INDEX `quiz_attempts_user_quiz_idx` ON `quiz_attempts` (`tenant_id`,`user_id`,`quiz_id`,`started_at`,`status`,`passed`,`score`,`max_score`);--> statement-breakpoint
CREATE INDEX `users_status_idx` ON `users` (`id`,`tenant_id`,`org_unit_id`,`job_role`,`status`,`created_at`);