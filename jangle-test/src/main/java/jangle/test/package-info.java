/**
 * Test tools that Jangle applications and store implementations put on their test classpath (§17 CR5): the aggregate
 * given-when-then fixture with the A7 mutation check ({@link jangle.test.AggregateFixture}), the saga fixture with a
 * movable clock ({@link jangle.test.SagaFixture}, {@link jangle.test.MutableClock}), the triple-shuffle replay check
 * ({@link jangle.test.TripleShuffle}, R5) and the store contract suites ({@link jangle.test.EventStoreContract},
 * {@link jangle.test.SnapshotStoreContract}, {@link jangle.test.SagaStoreContract}).
 */
package jangle.test;
