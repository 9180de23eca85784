CREATE TABLE `cohort_rules` (
	`id` text PRIMARY KEY NOT NULL,
	`cohort_id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`kind` text NOT NULL,
	`org_unit_id` text,
	`include_subunits` integer DEFAULT false NOT NULL,
	`user_id` text,
	`valid_from` integer NOT NULL,
	`valid_to` integer,
	FOREIGN KEY (`cohort_id`) REFERENCES `cohorts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `cohort_rules_cohort_idx` ON `cohort_rules` (`cohort_id`);--> statement-breakpoint
CREATE INDEX `cohort_rules_tenant_idx` ON `cohort_rules` (`tenant_id`,`kind`);