import { Column, Entity, PrimaryColumn } from 'typeorm';

import type { Role } from '@schoolbench/tenancy';

@Entity({ name: 'users' })
export class UserEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'varchar', length: 320 })
  email!: string;

  @Column({ name: 'display_name', type: 'varchar', length: 200, nullable: true })
  displayName!: string | null;

  @Column({ type: 'varchar', length: 16 })
  role!: Role;

  @Column({ name: 'school_urn', type: 'integer', nullable: true })
  schoolUrn!: number | null;

  @Column({ name: 'password_hash', type: 'varchar', length: 200, nullable: true })
  passwordHash!: string | null;

  @Column({ name: 'invitation_hash', type: 'varchar', length: 64, nullable: true })
  invitationHash!: string | null;

  @Column({ name: 'invitation_expires_at', type: 'timestamptz', nullable: true })
  invitationExpiresAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
