package jangle.jdbc;

import jangle.EventRecord;

import java.util.List;

/**
 * Test hook of the event store: called inside the append transaction after the events (with their global positions)
 * (and the completion) were written and before the commit. The G4 late-commit test blocks here to hold a transaction
 * open after it took its positions. Not for production use: anything slow here holds the append lock.
 */
@FunctionalInterface
interface AppendListener {
    AppendListener NONE = records -> { };

    void positionsTaken(List<EventRecord<?>> records);
}
