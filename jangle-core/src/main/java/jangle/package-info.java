/**
 * The Jangle programming model and runtime: the sealed message families ({@link jangle.Command}, {@link jangle.Event},
 * {@link jangle.Query}), annotated aggregates and sagas, the builder that checks a configuration and returns a running
 * {@link jangle.Jangle}, command handling with optimistic concurrency, event dispatch, and the infrastructure
 * exceptions rooted at {@link jangle.JangleException}.
 */
package jangle;
