CREATE TABLE `course_progress` (
	`tenant_id` text NOT NULL,
	`user_id` text NOT NULL,
	`course_id` text NOT NULL,
	`lessons` integer NOT NULL,
	`lessons_done` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `user_id`, `course_id`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `course_progress_status_idx` ON `course_progress` (`tenant_id`,`user_id`,`course_id`,`lessons_done`);--> statement-breakpoint
CREATE TRIGGER `course_progress_lesson_ins` AFTER INSERT ON `lesson_progress` BEGIN INSERT INTO `course_progress` (`tenant_id`, `user_id`, `course_id`, `lessons`, `lessons_done`) VALUES (NEW.`tenant_id`, NEW.`user_id`, NEW.`course_id`, 1, NEW.`completed_at` IS NOT NULL) ON CONFLICT (`tenant_id`, `user_id`, `course_id`) DO UPDATE SET `lessons` = `lessons` + 1, `lessons_done` = `lessons_done` + excluded.`lessons_done`; END;
--> statement-breakpoint
CREATE TRIGGER `course_progress_lesson_upd` AFTER UPDATE OF `completed_at` ON `lesson_progress` WHEN (OLD.`completed_at` IS NULL) <> (NEW.`completed_at` IS NULL) BEGIN UPDATE `course_progress` SET `lessons_done` = `lessons_done` + (CASE WHEN NEW.`completed_at` IS NULL THEN -1 ELSE 1 END) WHERE `tenant_id` = NEW.`tenant_id` AND `user_id` = NEW.`user_id` AND `course_id` = NEW.`course_id`; END;
--> statement-breakpoint
CREATE TRIGGER `course_progress_lesson_del` AFTER DELETE ON `lesson_progress` BEGIN UPDATE `course_progress` SET `lessons` = `lessons` - 1, `lessons_done` = `lessons_done` - (OLD.`completed_at` IS NOT NULL) WHERE `tenant_id` = OLD.`tenant_id` AND `user_id` = OLD.`user_id` AND `course_id` = OLD.`course_id`; DELETE FROM `course_progress` WHERE `tenant_id` = OLD.`tenant_id` AND `user_id` = OLD.`user_id` AND `course_id` = OLD.`course_id` AND `lessons` <= 0; END;
--> statement-breakpoint
INSERT INTO `course_progress` (`tenant_id`, `user_id`, `course_id`, `lessons`, `lessons_done`) SELECT `tenant_id`, `user_id`, `course_id`, count(*), count(`completed_at`) FROM `lesson_progress` GROUP BY `tenant_id`, `user_id`, `course_id`;
