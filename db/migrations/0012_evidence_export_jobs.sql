CREATE TABLE `evidence_export_jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`requested_by` text NOT NULL,
	`scope_units` text,
	`selection` text NOT NULL,
	`state` text NOT NULL,
	`done` integer DEFAULT 0 NOT NULL,
	`total` integer,
	`people` integer,
	`file_name` text,
	`download_name` text,
	`size` integer,
	`fingerprint` text,
	`file_sha256` text,
	`error` text,
	`claimed_by` text,
	`claimed_until` integer,
	`created_at` integer NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`requested_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `evidence_export_jobs_tenant_idx` ON `evidence_export_jobs` (`tenant_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `evidence_export_jobs_state_idx` ON `evidence_export_jobs` (`state`,`created_at`);