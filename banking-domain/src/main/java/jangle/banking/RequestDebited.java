package jangle.banking;

import java.math.BigDecimal;

/** On the funding account: an approved request's money left it (B16). */
public record RequestDebited(String fundingAccountId, String fundedAccountId, BigDecimal amount, BigDecimal balance,
                             String transactionId) implements BankEvent {
    public RequestDebited {
        Fields.accountId("fundingAccountId", fundingAccountId);
        Fields.accountId("fundedAccountId", fundedAccountId);
        Fields.required("amount", amount);
        Fields.required("balance", balance);
        Fields.transactionId(transactionId);
    }
}
