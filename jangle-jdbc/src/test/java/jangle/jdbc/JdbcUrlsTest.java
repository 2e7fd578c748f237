package jangle.jdbc;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JdbcUrlsTest {

    @Test
    @Tag("K3")
    @DisplayName("K3: a JDBC URL is shown without the password of a parameter or of its user:password@ part")
    void masksSecrets() {
        assertThat(JdbcUrls.mask("jdbc:postgresql://bank:inUserInfo@h:5432/db?user=u&sslpassword=inQuery&x=1"))
                .isEqualTo("jdbc:postgresql://bank:****@h:5432/db?user=u&sslpassword=****&x=1");
        assertThat(JdbcUrls.mask("jdbc:postgresql://h/db;PASSWORD=hunter2;ssl=true"))
                .isEqualTo("jdbc:postgresql://h/db;PASSWORD=****;ssl=true");
        assertThat(JdbcUrls.mask("jdbc:sqlite:/tmp/bank.db")).isEqualTo("jdbc:sqlite:/tmp/bank.db");
        assertThat(JdbcUrls.mask(null)).isNull();
    }
}
