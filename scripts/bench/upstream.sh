#!/usr/bin/env bash
# The fake upstream for benchmarks: OpenAI (and, for the gateway's translation paths, Anthropic
# and Gemini streams); nginx (Debian's package) with static bodies, plus Debian's echo module for
# the latency mode (timed sleeps and flushes between SSE chunks).
#
# Usage: scripts/bench/upstream.sh DIR [fast-port] [latency-port]
#   Writes DIR/nginx.conf, starts nginx in the foreground of a background job and prints its
#   pid; stop it with `kill <pid>` (the master takes its worker with it).
#
# Two servers in one nginx, one worker process (small next to the gateway on 2 cores):
#   fast (default 18090)     POST /v1/chat/completions       -> a chat.completion JSON at once
#                            POST /sse/v1/chat/completions   -> an 8-event SSE stream at once
#                            POST /sseN/v1/chat/completions  -> an N-event stream at once, N in
#                                                               1 10 65 (per-chunk cost: 65 vs 1)
#                            POST /antN/v1/messages          -> an Anthropic Messages stream of N
#                                                               text deltas at once, N in 1 65
#                            POST /gemN/v1beta/models/bench-model:streamGenerateContent
#                                                            -> a Gemini stream of N responses
#                                                               at once, N in 1 65
#                            GET  /antN/v1/models, /gemN/v1beta/models -> one model, "bench-model"
#   latency (default 18091)  POST /v1/chat/completions       -> the same JSON after 50 ms
#                            POST /sse/v1/chat/completions   -> first chunk after 50 ms, then one
#                                                               every 20 ms (8 events + [DONE])
#                            POST /hold/v1/chat/completions  -> first chunk after 50 ms, then one
#                                                               every HOLD_GAP s, HOLD_CHUNKS in all
#   both                     GET  {prefix}/v1/models         -> one model, "bench-model" (OpenAI
#                                                               prefixes)
# The stream or not choice is by path (nginx does not read the body): the gateway's own work
# does not depend on it, and a provider per path keeps the routing realistic.
set -euo pipefail

dir=${1:?usage: upstream.sh DIR [fast-port] [latency-port]}
fast_port=${2:-18090}
latency_port=${3:-18091}
hold_chunks=${HOLD_CHUNKS:-60}
hold_gap=${HOLD_GAP:-1}
mkdir -p "$dir"

created=1732600000
completion='{"id":"chatcmpl-bench0001","object":"chat.completion","created":'$created',"model":"bench-model","system_fingerprint":"fp_bench","choices":[{"index":0,"message":{"role":"assistant","content":"Switchboard relays this answer from a fake upstream that is fast enough not to be the bottleneck.","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":42,"completion_tokens":19,"total_tokens":61}}'
models='{"object":"list","data":[{"id":"bench-model","object":"model","created":'$created',"owned_by":"bench"}]}'
chunk() {  # chunk DELTA_JSON FINISH
    printf 'data: {"id":"chatcmpl-bench0001","object":"chat.completion.chunk","created":%s,"model":"bench-model","system_fingerprint":"fp_bench","choices":[{"index":0,"delta":%s,"logprobs":null,"finish_reason":%s}]}' \
        "$created" "$1" "$2"
}
# The events of one stream: a role chunk, six content chunks, a finish chunk, [DONE].
events=("$(chunk '{"role":"assistant","content":""}' null)")
for word in "Switchboard " "relays " "each " "chunk " "as " "it comes."; do
    events+=("$(chunk "{\"content\":\"$word\"}" null)")
done
events+=("$(chunk '{}' '"stop"')" "data: [DONE]")

# nginx strings: escape backslashes, double quotes and dollars; \n stays an escape.
ngx() { local s=${1//\\/\\\\}; s=${s//\"/\\\"}; s=${s//\$/\\\$}; printf '%s' "$s"; }

all_events=""
for event in "${events[@]}"; do all_events+="$(ngx "$event")\\n\\n"; done

# The sseN streams are static files (too long for an nginx string), served to POSTs by turning
# the static module's 405 into a 200 of the same file: N data events at once (a role chunk, N-2
# content chunks, a finish chunk; N=1 is one chunk carrying all three), then [DONE].
for n in 1 10 65; do
    file=$dir/static/sse$n/v1/chat/completions
    mkdir -p "$(dirname "$file")"
    {
        if ((n == 1)); then
            printf '%s\n\n' "$(chunk '{"role":"assistant","content":"Switchboard relays it all at once."}' '"stop"')"
        else
            printf '%s\n\n' "${events[0]}"
            for ((i = 0; i < n - 2; i++)); do printf '%s\n\n' "${events[$((i % 6 + 1))]}"; done
            printf '%s\n\n' "${events[-2]}"
        fi
        printf 'data: [DONE]\n\n'
    } > "$file"
done

# The same for the translation paths, N text deltas at once: Anthropic's Messages stream
# (/antN/v1/messages: message_start, content_block_start, ping, N content_block_delta,
# content_block_stop, message_delta, message_stop) and Gemini's streamGenerateContent?alt=sse
# (/gemN/v1beta/models/bench-model:streamGenerateContent: N GenerateContentResponses, the last
# with finishReason and usageMetadata). Shapes as in shared/provider-fixtures.
anthropic_models='{"data":[{"type":"model","id":"bench-model","display_name":"Bench","created_at":"2024-11-26T00:00:00Z"}],"has_more":false,"first_id":"bench-model","last_id":"bench-model"}'
gemini_models='{"models":[{"name":"models/bench-model","version":"1","displayName":"Bench","inputTokenLimit":1048576,"outputTokenLimit":8192,"supportedGenerationMethods":["generateContent","countTokens"]}]}'
for n in 1 65; do
    file=$dir/static/ant$n/v1/messages
    mkdir -p "$(dirname "$file")"
    {
        printf 'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_bench0001","type":"message","role":"assistant","content":[],"model":"bench-model","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":42,"output_tokens":1}}}\n\n'
        printf 'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n'
        printf 'event: ping\ndata: {"type": "ping"}\n\n'
        for ((i = 0; i < n; i++)); do
            printf 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"word%s "}}\n\n' "$i"
        done
        printf 'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n'
        printf 'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":%s}}\n\n' "$n"
        printf 'event: message_stop\ndata: {"type":"message_stop"}\n\n'
    } > "$file"
    file=$dir/static/gem$n/v1beta/models/bench-model:streamGenerateContent
    mkdir -p "$(dirname "$file")"
    {
        for ((i = 0; i < n - 1; i++)); do
            printf 'data: {"candidates":[{"content":{"parts":[{"text":"word%s "}],"role":"model"},"index":0}],"modelVersion":"bench-model","responseId":"bench0001"}\r\n\r\n' "$i"
        done
        printf 'data: {"candidates":[{"content":{"parts":[{"text":"end."}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":42,"candidatesTokenCount":%s,"totalTokenCount":%s},"modelVersion":"bench-model","responseId":"bench0001"}\r\n\r\n' "$n" "$((n + 42))"
    } > "$file"
done

# echo_sleep/echo/echo_flush lines: first after 50 ms, then one every GAP seconds.
timed_events() {  # timed_events GAP COUNT
    local gap=$1 count=$2 i=0 out="echo_sleep 0.05;"
    local body=("${events[@]:0:${#events[@]}-2}")
    while ((i < count - 1)); do
        # the role chunk first, then the content chunks round and round
        local event=${body[0]}
        ((i > 0)) && event=${body[$(((i - 1) % (${#body[@]} - 1) + 1))]}
        ((i > 0)) && out+=" echo_sleep $gap;"
        out+=" echo \"$(ngx "$event")\n\"; echo_flush;"
        i=$((i + 1))
    done
    out+=" echo_sleep $gap; echo \"$(ngx "${events[-2]}")\n\"; echo \"data: [DONE]\n\"; echo_flush;"
    printf '%s' "$out"
}

cat > "$dir/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_http_echo_module.so;
daemon off;
worker_processes 1;
worker_rlimit_nofile $(ulimit -Hn);
pid $dir/nginx.pid;
error_log $dir/nginx-error.log warn;
events { worker_connections 19000; multi_accept on; }
http {
    access_log off;
    keepalive_requests 10000000;
    keepalive_timeout 120s;
    client_body_temp_path $dir/body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
    client_max_body_size 1m;
    client_body_buffer_size 64k;
    server {
        listen 127.0.0.1:$fast_port backlog=4096 reuseport;
        location = /v1/models     { default_type application/json; return 200 "$(ngx "$models")"; }
        location = /sse/v1/models { default_type application/json; return 200 "$(ngx "$models")"; }
        location = /v1/chat/completions { default_type application/json; return 200 "$(ngx "$completion")"; }
        location = /sse/v1/chat/completions { default_type text/event-stream; return 200 "$all_events"; }
$(for n in 1 10 65; do
    printf '        location = /sse%s/v1/models { default_type application/json; return 200 "%s"; }\n' "$n" "$(ngx "$models")"
    printf '        location = /sse%s/v1/chat/completions { default_type text/event-stream; root %s; error_page 405 =200 $uri; }\n' "$n" "$dir/static"
done)
$(for n in 1 65; do
    printf '        location = /ant%s/v1/models { default_type application/json; return 200 "%s"; }\n' "$n" "$(ngx "$anthropic_models")"
    printf '        location = /ant%s/v1/messages { default_type text/event-stream; root %s; error_page 405 =200 $uri; }\n' "$n" "$dir/static"
    printf '        location = /gem%s/v1beta/models { default_type application/json; return 200 "%s"; }\n' "$n" "$(ngx "$gemini_models")"
    printf '        location /gem%s/v1beta/models/ { default_type text/event-stream; root %s; error_page 405 =200 $uri; }\n' "$n" "$dir/static"
done)
    }
    server {
        listen 127.0.0.1:$latency_port backlog=4096 reuseport;
        location = /v1/models      { default_type application/json; return 200 "$(ngx "$models")"; }
        location = /sse/v1/models  { default_type application/json; return 200 "$(ngx "$models")"; }
        location = /hold/v1/models { default_type application/json; return 200 "$(ngx "$models")"; }
        location = /v1/chat/completions {
            default_type application/json; echo_read_request_body;
            echo_sleep 0.05; echo -n "$(ngx "$completion")";
        }
        location = /sse/v1/chat/completions {
            default_type text/event-stream; echo_read_request_body;
            $(timed_events 0.02 8)
        }
        location = /hold/v1/chat/completions {
            default_type text/event-stream; echo_read_request_body;
            $(timed_events "$hold_gap" "$hold_chunks")
        }
    }
}
CONF

nginx -t -q -c "$dir/nginx.conf" -p "$dir"
nginx -c "$dir/nginx.conf" -p "$dir" &
echo $!
