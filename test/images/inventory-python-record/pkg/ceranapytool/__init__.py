def main():
    print("hello from ceranapytool")
