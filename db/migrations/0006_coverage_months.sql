CREATE TABLE `coverage_months` (
	`tenant_id` text NOT NULL,
	`month_end` integer NOT NULL,
	`recorded_by` integer NOT NULL,
	`groups` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `month_end`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
