import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A school in an authority's register (or in the public reference tenant). */
@Entity({ name: 'schools' })
export class SchoolEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' })
  tenantId!: string;

  @PrimaryColumn({ type: 'integer' })
  urn!: number;

  @Column({ type: 'integer', nullable: true })
  laestab!: number | null;

  @Column({ type: 'varchar', length: 300 })
  name!: string;

  @Column({ type: 'varchar', length: 40, nullable: true })
  phase!: string | null;

  @Column({ type: 'varchar', length: 120, nullable: true })
  type!: string | null;

  @Column({ name: 'la_code', type: 'varchar', length: 3, nullable: true })
  laCode!: string | null;

  @Column({ name: 'opened_on', type: 'date', nullable: true })
  openedOn!: string | null;

  @Column({ name: 'closed_on', type: 'date', nullable: true })
  closedOn!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
