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
