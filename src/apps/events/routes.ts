/**
 * The event routes of the registry: each event type leads to one process's route.
 */
import { PROCESSES, type EventRoute, type ProcessDefinition } from '../../registry';

export interface RoutedEvent {
  definition: ProcessDefinition<unknown, unknown>;
  route: EventRoute;
}

/** Every registered event type and its route; two processes claiming one type is a programming error. */
export function eventRoutes(processes: ReadonlyArray<ProcessDefinition<unknown, unknown>> = PROCESSES): Map<string, RoutedEvent> {
  const routes = new Map<string, RoutedEvent>();
  for (const definition of processes) {
    for (const route of (definition.events ?? []) as ReadonlyArray<EventRoute>) {
      const taken = routes.get(route.type);
      if (taken) throw new Error(`event type ${route.type} is routed by both ${taken.definition.shape.name} and ${definition.shape.name}`);
      routes.set(route.type, { definition, route });
    }
  }
  return routes;
}
