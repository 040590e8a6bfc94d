package dev.etcetera.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.etcetera.api.etcdserverpb.RangeRequest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The gateway's JSON decoding against etcd's: every expected message below is what etcd 3.4.23's
 * gateway answered for the same body (POST /v3/kv/range, recorded on this machine).
 */
class ProtoJsonTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "{\"key\":|unexpected EOF",
        "not json|invalid character 'o' in literal null (expecting 'u')",
        "{\"key\":\"YQ==\" x|invalid character 'x' after object key:value pair",
        "{\"key\" \"a\"}|invalid character '\"' after object key",
        "{\"key\":\"YQ==\",}|invalid character '}' looking for beginning of object key string",
        "[1,2|unexpected EOF",
        "{\"limit\":-}|invalid character '}' in numeric literal",
        "{\"limit\":1.}|invalid character '}' after decimal point in numeric literal",
        "{\"limit\":1e}|invalid character '}' in exponent of numeric literal",
        "{\"key\":\"a\\q\"}|invalid character 'q' in string escape code",
        "{\"key\":\"\\u12\"}|invalid character '\"' in \\u hexadecimal character escape",
        "{\"key\":tru}|invalid character '}' in literal true (expecting 'e')",
        "{\"key\":\"YQ==\",\"limit\":\"ten\"}|invalid character 'e' in literal true (expecting 'r')",
        "{\"key\":\"YQ==\",\"keys_only\":\"yes\"}|json: cannot unmarshal string into Go value of type bool",
        "{\"key\":\"YQ==\",\"limit\":true}|json: cannot unmarshal bool into Go value of type int64",
        "{\"key\":5}|json: cannot unmarshal number into Go value of type []uint8",
        "{\"key\":\"YQ==\",\"limit\":1.5}|json: cannot unmarshal number 1.5 into Go value of type int64",
        "\"str\"|json: cannot unmarshal string into Go value of type map[string]json.RawMessage",
        "5|json: cannot unmarshal number into Go value of type map[string]json.RawMessage",
        "{\"key\":\"YQ==\",\"limit\":99999999999999999999}|json: cannot unmarshal number 99999999999999999999 into Go value of type int64",
        "{\"key\":\"YQ==\",\"keys_only\":1}|json: cannot unmarshal number into Go value of type bool",
        "{\"key\":\"YQ==\",\"sort_order\":1.5}|json: cannot unmarshal number 1.5 into Go value of type etcdserverpb.RangeRequest_SortOrder",
        "{\"key\":\"YQ==\",\"sort_order\":\"SIDEWAYS\"}|unknown value \"SIDEWAYS\" for enum etcdserverpb.RangeRequest_SortOrder",
        "{\"key\":\"!!!\"}|illegal base64 data at input byte 0",
    })
    void rejectsWithEtcdsMessage(String body, String message) {
        ProtoJson.BadJson e = assertThrows(ProtoJson.BadJson.class, () -> ProtoJson.parse(body, RangeRequest.newBuilder()));
        assertEquals(message, e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "{\"key\":\"YQ==\"} trailing|YQ==|0|NONE",
        "{\"key\":\"YQ==\",\"sort_order\":\"ASCEND\"}|YQ==|0|ASCEND",
        "{\"key\":\"YQ==\",\"sort_order\":2,\"limit\":\"12\"}|YQ==|12|DESCEND",
        "{\"key\":\"YQ==\",\"limit\":7,\"unknown_field\":[1,{}]}|YQ==|7|NONE",
        "`{\n\"key\":\t\"YQ==\"\n}`|YQ==|0|NONE",
        "{\"key\":null,\"sort_order\":null}|''|0|NONE",
        "{\"key\":\"YQ==\",\"sortOrder\":\"DESCEND\"}|YQ==|0|DESCEND",
    })
    void acceptsWhatEtcdAccepts(String body, String keyBase64, long limit, String order) throws Exception {
        RangeRequest r = ProtoJson.parse(body, RangeRequest.newBuilder()).build();
        assertEquals(keyBase64.equals("''") ? "" : keyBase64, java.util.Base64.getEncoder().encodeToString(r.getKey().toByteArray()));
        assertEquals(limit, r.getLimit());
        assertEquals(order, r.getSortOrder().name());
    }
}
