import { Column, Entity, PrimaryColumn } from 'typeorm';

export type TenantKind = 'authority' | 'public' | 'platform';

/** A platform table: every tenant may know the others exist (names and LA codes are public). */
@Entity({ name: 'tenants' })
export class TenantEntity {
  @PrimaryColumn({ type: 'uuid', default: () => 'gen_random_uuid()' })
  id!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: TenantKind;

  @Column({ name: 'la_code', type: 'varchar', length: 3, nullable: true, unique: true })
  laCode!: string | null;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status!: 'active' | 'suspended';

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
