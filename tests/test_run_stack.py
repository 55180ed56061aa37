import socket

from bot.run_stack import port_in_use


def test_port_in_use_sees_a_listening_socket_and_a_free_port():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert port_in_use(port)
    assert not port_in_use(port)
