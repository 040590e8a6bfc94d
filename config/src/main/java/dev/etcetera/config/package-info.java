/**
 * Typed, validated configuration of an Etcetera member, read from etcd's command-line flags and
 * {@code ETCD_*} environment variables. JDK only.
 *
 * <p>Flow: {@link dev.etcetera.config.CommandLine} reads what the user set (Go flag syntax,
 * environment fallback); {@link dev.etcetera.config.FlagValues} applies defaults;
 * {@link dev.etcetera.config.EtcdConfig} builds one record per component
 * ({@link dev.etcetera.config.MemberConfig}, {@link dev.etcetera.config.ClusterConfig},
 * {@link dev.etcetera.config.RaftConfig}, {@link dev.etcetera.config.StorageConfig},
 * {@link dev.etcetera.config.LimitsConfig}, {@link dev.etcetera.config.LoggingConfig},
 * {@link dev.etcetera.config.WatchConfig}, {@link dev.etcetera.config.PayaraConfig}) and validates
 * them; {@link dev.etcetera.config.LaunchPlan} prints the result as {@code -Detcetera.<flag>=<value>}
 * lines for the member JVM, which reads them back with
 * {@link dev.etcetera.config.EtcdConfig#fromProperties}.
 *
 * <p>Invariants:
 * <ul>
 *   <li>{@link dev.etcetera.config.FlagTable} is the only list of flags: parsing, environment names,
 *       property keys, help and warnings all derive from it.</li>
 *   <li>Every error is a {@link dev.etcetera.config.ConfigException} that names the flag; messages use
 *       etcd's wording where etcd has one.</li>
 *   <li>Values are kept in one canonical text per flag; parsing a canonical text gives it back, so
 *       {@code fromProperties(toProperties())} equals the original.</li>
 *   <li>Nothing here reads files, opens sockets or reads the clock; {@code LaunchPlan.main} is the
 *       only code touching the process (environment, stdout, stderr, exit code).</li>
 * </ul>
 */
package dev.etcetera.config;
