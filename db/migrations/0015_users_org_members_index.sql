DROP INDEX `users_tenant_org_idx`;--> statement-breakpoint
CREATE INDEX `users_tenant_org_members_idx` ON `users` (`tenant_id`,`org_unit_id`,`status`,`job_role`,`id`,`name`,`email`);