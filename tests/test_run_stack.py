import socket

from bot.run_stack import port_in_use


def test_port_in_use_sees_a_listening_socket_and_a_free_port():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert port_in_use(port)
    assert not port_in_use(port)


def test_the_launcher_stops_when_its_parent_is_gone():
    from bot.run_stack import watch_parent

    parents = iter([100, 100, 1])  # make was killed: re-parented to init
    stopped = []
    assert watch_parent(lambda: stopped.append(True), getppid=lambda: next(parents), poll_seconds=0, rounds=5)
    assert stopped == [True]
    assert not watch_parent(lambda: stopped.append(True), getppid=lambda: 100, poll_seconds=0, rounds=3)


def test_the_scaled_set_up_is_told_where_every_shared_service_is():
    from bot.endpoints import LocalEndpoints
    from bot.run_stack import scaled_environment

    env = scaled_environment(
        {"DATABASE_URL": "postgresql://bot:geheim@db.intern:6543/chat", "REDIS_URL": "redis://cache:6380/2"},
        LocalEndpoints(rasa_port=5005, action_port=5055),
    )
    assert (env["RASA_PORT_1"], env["RASA_PORT_2"]) == ("5015", "5016")  # behind the proxy on 5005
    assert (env["POSTGRES_HOST"], env["POSTGRES_PORT"], env["POSTGRES_DB"]) == ("db.intern", "6543", "chat")
    assert (env["POSTGRES_USER"], env["POSTGRES_PASSWORD"]) == ("bot", "geheim")
    assert (env["REDIS_HOST"], env["REDIS_PORT"], env["REDIS_DB"]) == ("cache", "6380", "2")
    assert env["WEBCHAT_REDIS_URL"] == "redis://cache:6380/2"  # socket.io shares the same Redis
    assert env["ACTION_URL"] == "http://127.0.0.1:5055/webhook"
    assert env["RABBITMQ_HOST"] == "127.0.0.1" and env["RASA_API_TOKEN"]  # tokens made fresh, as for make run
    # Every variable deploy/endpoints.scaled.yml uses is set.
    import re

    from bot.paths import PROJECT_ROOT

    used = set(re.findall(r"\$\{(\w+)\}", (PROJECT_ROOT / "deploy" / "endpoints.scaled.yml").read_text()))
    assert used <= set(env), used - set(env)
