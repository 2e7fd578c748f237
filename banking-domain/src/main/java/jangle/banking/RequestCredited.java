package jangle.banking;

import java.math.BigDecimal;

/** On the requester: a request's money arrived (B17). */
public record RequestCredited(String fundedAccountId, BigDecimal amount, BigDecimal balance,
                              String transactionId) implements BankEvent {
    public RequestCredited {
        Fields.accountId("fundedAccountId", fundedAccountId);
        Fields.required("amount", amount);
        Fields.required("balance", balance);
        Fields.transactionId(transactionId);
    }
}
