from setuptools import setup

setup(
    name="cerana_pytool",
    version="1.2.3",
    license="MIT",
    packages=["ceranapytool"],
    data_files=[("bin", ["ceranatool"])],
    entry_points={"console_scripts": ["ceranapytool-hello = ceranapytool:main"]},
)
