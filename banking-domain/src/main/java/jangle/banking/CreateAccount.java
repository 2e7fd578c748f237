package jangle.banking;

import java.math.BigDecimal;

/**
 * Opens an account (B2, B3): decided by the {@link AccountCreationAggregate}, which numbers it. The transaction id
 * (generated when null) is the one of the initial deposit, if any.
 *
 * @param name           the holder's name (§2 name rule; stored normalised)
 * @param initialDeposit null for none, else an amount
 * @param transactionId  of the initial deposit; generated when null
 */
public record CreateAccount(String name, BigDecimal initialDeposit, String transactionId) implements BankCommand {
    public CreateAccount {
        name = Fields.name(name);
        initialDeposit = initialDeposit == null ? null : Fields.amount("initialDeposit", initialDeposit);
        transactionId = Fields.transactionIdOrNew(transactionId);
    }

    public CreateAccount(String name) {
        this(name, null, null);
    }

    public CreateAccount(String name, BigDecimal initialDeposit) {
        this(name, initialDeposit, null);
    }

    @Override
    public String aggregateId() {
        return AccountCreationAggregate.ID;
    }
}
