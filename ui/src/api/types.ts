/** Short names for the platform's schemas (generated from its OpenAPI document). */
import type { components } from './schema'

type Schemas = components['schemas']

export type ModelSummary = Schemas['ModelPublic']
export type ModelDetail = Schemas['ModelDetail']
export type ModelVersion = Schemas['ModelVersionPublic']
export type ModelSchema = Schemas['ModelSchema']
export type Variable = Schemas['Variable']
export type ServiceInfo = Schemas['ServicePublic']
export type ServiceEvent = Schemas['ServiceEventPublic']
export type DatasetInfo = Schemas['DatasetPublic']
export type DatasetPreview = Schemas['DatasetPreview']
export type JobInfo = Schemas['JobPublic']
export type JobDetail = Schemas['JobDetail']
export type RunInfo = Schemas['RunPublic']
export type RunLogs = Schemas['RunLogs']
