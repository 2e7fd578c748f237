# Sourced by ./mvnw and ./jangle-bank. Exports JAVA_HOME pointing at a JDK >= 21, or exits with advice.
jangle_java_major() {  # prints the feature version of the java binary given as $1
  "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}'
}
jangle_pick_jdk() {
  local candidate major best="" best_major=0
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/javac" ]]; then
    major=$(jangle_java_major "$JAVA_HOME/bin/java")
    if [[ "${major:-0}" -ge 21 ]]; then return 0; fi
  fi
  for candidate in /usr/lib/jvm/*; do
    [[ -x "$candidate/bin/javac" ]] || continue
    major=$(jangle_java_major "$candidate/bin/java")
    if [[ "${major:-0}" -ge 21 && "$major" -gt "$best_major" ]]; then best="$candidate"; best_major=$major; fi
  done
  if [[ -z "$best" ]]; then
    echo "Jangle needs a JDK 21 or newer, and none was found (JAVA_HOME=${JAVA_HOME:-unset}, /usr/lib/jvm has none)." >&2
    echo "Install one, for example: apt-get install openjdk-21-jdk-headless   (or openjdk-25-jdk-headless)," >&2
    echo "or unpack a Temurin JDK 21+ and set JAVA_HOME to it." >&2
    exit 1
  fi
  export JAVA_HOME="$best"
}
jangle_pick_jdk
export PATH="$JAVA_HOME/bin:$PATH"
