// Vitest global setup of the integration tier: make sure the real local servers are up (starts
// the ones that are not; external ones are only checked).
import { servicesUp } from "../infra/services";

export default async function setup(): Promise<void> {
  await servicesUp();
}
