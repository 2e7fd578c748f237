package jangle;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/** {@link AggregateHarness} over the same binding the command handler uses (A4, A5). */
final class DefaultAggregateHarness<A extends Aggregate> implements AggregateHarness<A> {
    private final AggregateBinding<A> binding;
    private final Function<String, A> factory;
    private final Clock clock;

    DefaultAggregateHarness(AggregateBinding<A> binding, Function<String, A> factory, Clock clock) {
        this.binding = binding;
        this.factory = factory;
        this.clock = clock;
    }

    static <A extends Aggregate> AggregateHarness<A> create(Class<A> type, Function<String, A> factory, Clock clock) {
        List<String> problems = new ArrayList<>();
        AggregateBinding<A> binding = AggregateBinding.bind(type, problems);
        if (!problems.isEmpty()) throw new ConfigurationException(problems);
        return new DefaultAggregateHarness<>(binding, factory, clock);
    }

    @Override
    public A rehydrate(String aggregateId, List<EventRecord<?>> history) {
        A aggregate = factory.apply(aggregateId);
        aggregate.frameworkSetClock(clock);
        for (EventRecord<?> r : history) binding.apply(aggregate, r);
        return aggregate;
    }

    @Override
    public void apply(A aggregate, EventRecord<?> record) {
        binding.apply(aggregate, record);
    }

    @Override
    public Decision decide(A aggregate, Command command) {
        AggregateBinding.Validator v = binding.validator(command.getClass());
        if (v == null) {
            throw new MissingHandlerException(MissingHandlerException.Kind.COMMAND_ROUTE, command.getClass().getName(),
                    binding.type().getName() + " has no @ValidateCommand method for " + command.getClass().getName());
        }
        aggregate.frameworkSetClock(clock);
        aggregate.frameworkClearPosted();
        CommandResponse response;
        try {
            response = v.call(aggregate, command, aggregate.version() + 1);
        } catch (RuntimeException | Error e) {
            aggregate.frameworkClearPosted();
            throw new AggregateException(binding.type().getName(), aggregate.id(), v.methodName(),
                    command.getClass().getSimpleName(), e);
        }
        if (response == null) response = CommandResponse.accepted();
        List<Aggregate.Posted> posted = List.copyOf(aggregate.frameworkPosted());
        aggregate.frameworkClearPosted();
        if (!response.isAccepted() || posted.isEmpty()) return new Decision(response, List.of());
        UUID commandId = UUID.randomUUID();
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        return new Decision(response, PostedEvents.number(aggregate.id(), aggregate.version(), posted,
                new Metadata(commandId, commandId, null), now, PostedEvents::fromAnnotation, UUID::randomUUID));
    }
}
